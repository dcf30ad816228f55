"""All models, imported here so Alembic and the export registry see every table."""

from community.models.audit import AuditEvent
from community.models.forum import (
    Bookmark,
    Category,
    CategoryWatch,
    Draft,
    ForumPreference,
    MemberIgnore,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicRead,
    TopicWatch,
)
from community.models.insights import InsightsConsent, InsightsPage
from community.models.mail import OutboxMessage
from community.models.messages import (
    Conversation,
    ConversationMember,
    MemberBlock,
    Message,
    MessagePreference,
)
from community.models.moderation import (
    Appeal,
    CrisisResource,
    MemberAction,
    QueueItem,
    Report,
    WatchedWord,
)
from community.models.news import Article, ArticleRevision, ArticleTag, ArticleTrial, NewsWriter
from community.models.tracking import (
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    LabTest,
    Medication,
    Symptom,
    SymptomRating,
    TrackingSettings,
    Treatment,
    TreatmentSideEffect,
)
from community.models.trials import (
    Trial,
    TrialBullet,
    TrialCatalogue,
    TrialConsent,
    TrialCriterion,
    TrialInterest,
    TrialMatch,
    TrialMatchResult,
    TrialMatchState,
    TrialNotification,
)
from community.models.user import Role, SignIn, User

__all__ = ["AuditEvent", "OutboxMessage", "Role", "SignIn", "User",
           "CheckIn", "Flare", "HealthProfile", "LabResult", "LabTest", "Medication", "Symptom",
           "SymptomRating", "TrackingSettings", "Treatment", "TreatmentSideEffect",
           "Category", "CategoryWatch", "Draft", "ForumPreference", "Notification", "Post",
           "PostRevision", "Reaction", "Topic", "TopicRead", "TopicWatch",
           "Article", "ArticleRevision", "ArticleTag", "ArticleTrial", "NewsWriter",
           "Trial", "TrialBullet", "TrialCatalogue", "TrialConsent", "TrialCriterion", "TrialInterest", "TrialMatch",
           "TrialMatchResult", "TrialMatchState", "TrialNotification"]
__all__ += ["InsightsConsent", "InsightsPage"]
__all__ += ["Appeal", "CrisisResource", "MemberAction", "QueueItem", "Report", "WatchedWord"]
__all__ += ["Conversation", "ConversationMember", "MemberBlock", "Message", "MessagePreference"]
__all__ += ["Bookmark", "MemberIgnore"]
