"""The forums: one module per concern.

categories   the admins' list of categories
listings     latest / per-category topic lists and the feed (keyset-paged)
reading      loading what a viewer may see, pages of a topic, read markers, post history
posting      new topics, replies, edits, deletions; screening's verdict comes back with the post
drafts       what a member is writing, kept until posted
reactions    reactions to posts
following    watching topics and categories
notifications who is told about a post, the member's list, the header's unread count
digests      forum settings and the email digests
members      a member's posts as a whole: profile counts, deletion with the account
bookmarks, ignoring, seed, cli (``flask forum …``, registered in community/cli.py)

Every function that changes something loads what it needs, asks the Guardian, makes the
change and commits once. Counters move in SQL (``n = n + 1``) so concurrent writers never
lose each other's updates. Who may see what is the Guardian's (community/permissions.py),
as a predicate and its SQL twin; search lives in community/search.
"""
