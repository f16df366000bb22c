"""The first published version of every document, in Korean and English, and the database's
guard that keeps a published version from changing (a new version is a new row)."""

from django.db import migrations
from apps.policies.first_versions import first_versions_install

# A published row may not be edited or deleted: acceptances point at the exact text read.
IMMUTABLE_SQL = """
CREATE FUNCTION policies_version_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'policy version % is published and cannot change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policies_version_immutable BEFORE UPDATE OR DELETE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION policies_version_immutable();
"""
IMMUTABLE_REVERSE_SQL = """
DROP TRIGGER IF EXISTS policies_version_immutable ON policies_policyversion;
DROP FUNCTION IF EXISTS policies_version_immutable();
"""


def seed(apps, schema_editor):
    first_versions_install(version_model=apps.get_model("policies", "PolicyVersion"))


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_policy_documents_and_acceptances")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunSQL(IMMUTABLE_SQL, IMMUTABLE_REVERSE_SQL),
    ]
