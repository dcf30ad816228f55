"""What happens in the request right after a member posts (the forum's views call this)."""

from __future__ import annotations

from flask import flash, redirect, url_for

from community.moderation import screening


def after_posting(obj, message: str, default_url: str):
    """Where a member goes after posting: support first if they wrote about harming themselves.

    The forum's views call this so that what screening decided reaches the author.
    """
    verdict = screening.verdict_of(obj)
    held = getattr(obj, "held_at", None) is not None
    if held:
        message = "Thank you. A moderator will look at your post soon; until then only you can see it."
    flash(message, "success")
    if verdict is not None and verdict.crisis:
        # The support page says what became of the words; it can't look the post up itself.
        return redirect(url_for("moderation.support", next=default_url, post="held" if held else "live"))
    return redirect(default_url)
