CREATE TABLE IF NOT EXISTS users (
    id         BIGINT PRIMARY KEY,
    name       TEXT        NOT NULL,
    email      TEXT        NOT NULL,
    bio        TEXT        NOT NULL DEFAULT '',
    version    BIGINT      NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
