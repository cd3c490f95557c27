"""All models, imported here so Alembic and the app see the whole schema."""

from app.models.blog import Blog, BlogAuthor
from app.models.comment import Comment
from app.models.entry import STATUS_DRAFT, STATUS_PUBLISHED, Counter, Entry, EntryView, Tag, entry_tags
from app.models.related import RelatedEntry, RelatedList
from app.models.report import Report
from app.models.search_task import SearchTask
from app.models.station import Station, StationBlog, StationMember
from app.models.upload import Upload
from app.models.user import Follow, User, UserSession

__all__ = [
    "STATUS_DRAFT",
    "STATUS_PUBLISHED",
    "Blog",
    "BlogAuthor",
    "Comment",
    "Counter",
    "Entry",
    "EntryView",
    "Follow",
    "RelatedEntry",
    "RelatedList",
    "Report",
    "SearchTask",
    "Station",
    "StationBlog",
    "StationMember",
    "Tag",
    "Upload",
    "User",
    "UserSession",
    "entry_tags",
]
