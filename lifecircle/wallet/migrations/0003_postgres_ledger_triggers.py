"""PostgreSQL guards that hold even for SQL that bypasses the application:

* postings and journal entries are append-only (UPDATE and DELETE raise);
* a deferred constraint trigger re-checks at COMMIT that every entry touched sums to zero
  and has at least two postings.

TRUNCATE (used by test-database flushes) does not fire row triggers and is not granted to
the application role in production.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION wallet_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'wallet ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER wallet_posting_append_only BEFORE UPDATE OR DELETE ON wallet_posting
  FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();
CREATE TRIGGER wallet_journalentry_append_only BEFORE UPDATE OR DELETE ON wallet_journalentry
  FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();

CREATE OR REPLACE FUNCTION wallet_check_entry_balanced() RETURNS trigger AS $$
DECLARE
  total bigint;
  legs integer;
BEGIN
  SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) INTO total, legs
    FROM wallet_posting WHERE entry_id = NEW.entry_id;
  IF total <> 0 OR legs < 2 THEN
    RAISE EXCEPTION 'journal entry % does not balance (sum %, % postings)', NEW.entry_id, total, legs
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER wallet_posting_balanced AFTER INSERT ON wallet_posting
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION wallet_check_entry_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS wallet_posting_balanced ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_posting_append_only ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_journalentry_append_only ON wallet_journalentry;
DROP FUNCTION IF EXISTS wallet_check_entry_balanced();
DROP FUNCTION IF EXISTS wallet_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FORWARD)  # no params: the %s in RAISE formats are PL/pgSQL's


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0002_system_accounts")]
    operations = [migrations.RunPython(forward, backward)]
