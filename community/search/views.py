"""The site-wide search page: forum posts and research news, still at /forum/search."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from community.forum import forms
from community.news import services as news_services
from community.pagecache import cached_for_visitors
from community.permissions import PUBLIC, access
from community.search import forum as search
from community.views import page_number

bp = Blueprint("search", __name__)


@bp.get("/forum/search")
@access(PUBLIC)
@cached_for_visitors
def search_page():
    form = forms.SearchForm(request.args)
    query = (form.q.data or "")[:500]
    results, has_more = search.search(current_user, query, page_number())
    # Research news articles that match come first, on the first page only.
    articles = news_services.search(" ".join(search.words(query))) if page_number() == 1 else []
    return render_template("forum/search.html", form=form, query=query, results=results,
                           has_more=has_more, page=page_number(), searched=bool(query.strip()),
                           words=search.words(query), articles=articles)
