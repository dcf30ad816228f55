"""What happens in the request right after a member posts (the forum's views call this)."""

from __future__ import annotations

from flask import flash, redirect, url_for

from community.moderation import screening


def after_posting(screened: screening.Screening, message: str, default_url: str):
    """Where a member goes after posting: support first if they wrote about harming themselves.

    The forum's views call this with the Screening that posting returned with the post.
    """
    held = screened.held
    if held:
        message = "Thank you. A moderator will look at your post soon; until then only you can see it."
    flash(message, "success")
    if screened.crisis:
        # The support page says what became of the words; it can't look the post up itself.
        return redirect(url_for("moderation.support", next=default_url, post="held" if held else "live"))
    return redirect(default_url)
