"""SQL of the append-only timeline (used by migration 0002 and by the test clean-up)."""

PG_CREATE = """
CREATE OR REPLACE FUNCTION whistle_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'whistle_event is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER whistle_event_append_only
    BEFORE UPDATE OR DELETE ON whistle_event
    FOR EACH ROW EXECUTE FUNCTION whistle_event_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS whistle_event_append_only ON whistle_event;
DROP FUNCTION IF EXISTS whistle_event_append_only();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER whistle_event_no_update BEFORE UPDATE ON whistle_event
       BEGIN SELECT RAISE(ABORT, 'whistle_event is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER whistle_event_no_delete BEFORE DELETE ON whistle_event
       BEGIN SELECT RAISE(ABORT, 'whistle_event is append-only: DELETE refused'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS whistle_event_no_update;",
    "DROP TRIGGER IF EXISTS whistle_event_no_delete;",
]
