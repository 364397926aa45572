-- A failed caption keeps what its cast's completed steps captured (its row shows it; the captions'
-- credits sum to the set's spent). Captions that failed before this was written hold 0: fill them in.
UPDATE "captions" AS c
SET "credits_charged" = s.charged
FROM (
  SELECT "cast_id", (sum("cost") FILTER (WHERE "status" = 'completed'))::int AS charged
  FROM "generation_sessions"
  WHERE "cast_id" IS NOT NULL
  GROUP BY "cast_id"
) AS s
WHERE c."status" = 'failed' AND c."cast_id" = s."cast_id" AND c."credits_charged" = 0 AND s.charged > 0;
