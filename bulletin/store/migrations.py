"""The history's schema: one script per version, run in order by Store.open().

PRAGMA user_version says how many have run. Never edit a script that has been
released; append a new one.
"""

from __future__ import annotations

from bulletin.store import (
    corrections,
    decisions,
    editions,
    editors,
    edits,
    mail,
    mail_reports,
    quota,
    week_totals,
)

# One script per schema version; user_version says how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE observations (
        source      TEXT NOT NULL,
        period      TEXT NOT NULL,          -- 2026-03-09 (a day) or 2026-W11 (a week)
        model       TEXT NOT NULL,
        tokens      INTEGER NOT NULL CHECK (typeof(tokens) = 'integer' AND tokens >= 0),
        rank        INTEGER,
        source_url  TEXT NOT NULL,
        fetched_at  TEXT NOT NULL,
        PRIMARY KEY (source, period, model)
    ) WITHOUT ROWID;
    CREATE TABLE model_names (
        model   TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        source  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE figures (
        source        TEXT NOT NULL,
        subject       TEXT NOT NULL,
        organisation  TEXT NOT NULL,
        kind          TEXT NOT NULL,
        period        TEXT NOT NULL,
        value         TEXT NOT NULL,        -- exact decimal, in the base unit
        unit          TEXT NOT NULL,
        scale         TEXT NOT NULL,
        link          TEXT NOT NULL,
        quote         TEXT NOT NULL,
        published_at  TEXT NOT NULL,
        fetched_at    TEXT NOT NULL,
        PRIMARY KEY (source, subject, organisation, kind, period)
    ) WITHOUT ROWID;
    CREATE TABLE bulletins (
        week         TEXT PRIMARY KEY,
        headline     TEXT NOT NULL,
        events       TEXT NOT NULL,          -- JSON: the events the story reported
        rendered_at  TEXT NOT NULL,
        status       TEXT NOT NULL,          -- ready, held, approved, rejected
        reasons      TEXT NOT NULL           -- JSON list: why it is held or rejected
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        week          TEXT NOT NULL,
        target        TEXT NOT NULL,         -- the publisher's name in the config
        status        TEXT NOT NULL,         -- ok, failed, gone (deleted on the remote side)
        remote_id     TEXT NOT NULL,         -- e.g. a WordPress post id; '' where none
        location      TEXT NOT NULL,         -- URL or path of what was published
        detail        TEXT NOT NULL,
        attempts      INTEGER NOT NULL,
        delivered_at  TEXT NOT NULL,
        PRIMARY KEY (week, target)
    ) WITHOUT ROWID;
    """,
    # Live collectors: what each source last did, HTTP validators for conditional
    # requests, news items (stored once), and catalogue dates for model names.
    """
    CREATE TABLE source_state (
        source        TEXT PRIMARY KEY,
        type          TEXT NOT NULL,
        state         TEXT NOT NULL,         -- ok, unchanged, stale
        detail        TEXT NOT NULL,         -- why it is stale; '' otherwise
        checked_at    TEXT NOT NULL,
        last_success  TEXT NOT NULL,         -- '' until the first success
        as_of         TEXT NOT NULL          -- how recent the source says its data is
    ) WITHOUT ROWID;
    CREATE TABLE http_cache (
        url            TEXT PRIMARY KEY,
        etag           TEXT NOT NULL,
        last_modified  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE feed_items (
        source        TEXT NOT NULL,
        item_key      TEXT NOT NULL,         -- the item's id, or its link
        link          TEXT NOT NULL,
        title         TEXT NOT NULL,
        summary       TEXT NOT NULL,         -- sanitised HTML
        published_at  TEXT NOT NULL,
        fetched_at    TEXT NOT NULL,
        PRIMARY KEY (source, item_key)
    ) WITHOUT ROWID;
    ALTER TABLE model_names ADD COLUMN created TEXT NOT NULL DEFAULT '';
    """,
    # Email subscribers and the per-(bulletin, subscriber) send ledger.
    """
    CREATE TABLE subscribers (
        id               INTEGER PRIMARY KEY,
        uid              TEXT NOT NULL UNIQUE,   -- random; what tokens name, never the row id
        email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        locale           TEXT NOT NULL,          -- en, zh
        status           TEXT NOT NULL,          -- pending, confirmed, unsubscribed, bounced
        bounces          INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        changed_at       TEXT NOT NULL
    );
    CREATE TABLE email_sends (
        week           TEXT NOT NULL,
        subscriber     INTEGER NOT NULL REFERENCES subscribers (id),
        state          TEXT NOT NULL,  -- queued, sending, sent, deferred, failed, skipped, uncertain
        attempts       INTEGER NOT NULL DEFAULT 0,
        next_attempt   REAL NOT NULL DEFAULT 0,
        detail         TEXT NOT NULL DEFAULT '',
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (week, subscriber)
    ) WITHOUT ROWID;
    """,
    # Each source's totals per ISO week, so a single week's command need not sum
    # every stored observation (see week_totals.py).
    week_totals.MIGRATION,
    # When the last confirmation email went to each address: the subscribe form's
    # throttle, and the age after which a confirmation link stops working.
    """
    ALTER TABLE subscribers ADD COLUMN confirm_sent_at TEXT NOT NULL DEFAULT '';
    CREATE INDEX subscribers_confirm_sent ON subscribers (confirm_sent_at)
        WHERE confirm_sent_at != '';
    """,
    # The send ledger's next_attempt was never read: a deferred copy waits in the
    # running sender's schedule, and the next run tries it again at once.
    """
    ALTER TABLE email_sends DROP COLUMN next_attempt;
    """,
    # The days each model was listed in a week: no change or rank move is told
    # against a model's partial week (the Data API lists each day's top 50 only).
    week_totals.MIGRATION_LISTED,
    # A figure's subject in Chinese: the Chinese edition never quotes an English subject.
    """
    ALTER TABLE figures ADD COLUMN subject_zh TEXT NOT NULL DEFAULT '';
    """,
    # Numbers published bulletins stated that the source revised since (corrections.py).
    corrections.MIGRATION,
    # The subscribe form's limits, and its confirmations sent by a worker, not the request.
    mail.MIGRATION,
    # Which days of a week each model was listed, not only how many: a listing that
    # ended is told with its last day (week_totals.LISTED_BIT).
    week_totals.MIGRATION_LISTED_DAYS,
    # Stated numbers and corrections name quantities by id, and keep their sentence.
    corrections.MIGRATION_IDS,
    # Bounces and complaints read from the bounce mailbox (`bulletin bounces`), and why an
    # address was marked bounced or complained.
    mail_reports.MIGRATION,
    # The email targets' sending quotas (max_per_second, max_per_hour, max_per_day), shared by
    # every process sending through the store.
    quota.MIGRATION,
    # The editors who may sign in to `bulletin desk`, with their passwords' hashes.
    editors.MIGRATION,
    # Editors' changes to an article's wording, and the record of each change.
    edits.MIGRATION,
    # Model names editors confirmed or corrected, and each week's articles as last approved.
    decisions.MIGRATION,
    # The editions of each week (a developer's, a country's) and where each was published.
    editions.MIGRATION,
    # The editions each subscriber reads, and the send ledger's rows kept per edition of a week.
    mail.MIGRATION_EDITIONS,
)
