"""The front page, public member profiles and the site's policies."""

from flask import Blueprint, render_template

from community.db import db
from community.errors import NotFound
from community.models import User
from community.permissions import PUBLIC, access
from community.views import sign_in_url

bp = Blueprint("main", __name__)


@bp.app_context_processor
def _main_helpers():
    return {"sign_in_url": sign_in_url}


@bp.get("/")
@access(PUBLIC)
def home():
    return render_template("main/home.html")


@bp.get("/terms")
@access(PUBLIC)
def terms():
    return render_template("main/terms.html")


@bp.get("/privacy")
@access(PUBLIC)
def privacy():
    return render_template("main/privacy.html")


@bp.get("/members/<int:user_id>")
@access(PUBLIC)
def member_profile(user_id: int):
    member = db.session.get(User, user_id)
    if member is None:
        raise NotFound()
    from community.forum.members import member_post_count

    return render_template("main/member.html", member=member, post_count=member_post_count(member.id))
