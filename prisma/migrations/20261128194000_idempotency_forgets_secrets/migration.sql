-- Answers stored for idempotent replay no longer keep secrets shown once (an API key, a webhook
-- signing secret): drop the ones stored before. A retry of those requests now gets 409
-- secret_shown_once instead of the secret.
UPDATE "IdempotencyRecord" SET "response" = "response" - 'key'
WHERE jsonb_typeof("response") = 'object' AND "response"->>'key' LIKE 'dgk\_%';
UPDATE "IdempotencyRecord" SET "response" = "response" - 'secret'
WHERE jsonb_typeof("response") = 'object' AND "response" ? 'secret';
