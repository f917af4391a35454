#!/bin/sh
# Copies a stopped heraldd's SQLite queue into an empty PostgreSQL queue, every table and its
# history, in one transaction: either all of it arrives or nothing does.
#
#   scripts/sqlite-to-postgresql.sh /var/lib/herald/herald.db 'postgresql://herald@db.example.com/herald'
#
# Before: stop heraldd (the SQLite file must not change while it is read), and bring the
# PostgreSQL database to this Herald's schema with `heraldd --migrate-queue NEW.toml` (the
# configuration with backend = "postgresql"). The target must hold no organization and no text.
# After: start heraldd (or several) on the new configuration. Needs sqlite3 and psql
# (Debian: sqlite3, postgresql-client). The password, if any, comes from PGPASSWORD or ~/.pgpass.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 SQLITE_FILE POSTGRESQL_URL" >&2
    exit 64
fi
db=$1
url=$2
[ -r "$db" ] || { echo "$0: cannot read $db" >&2; exit 66; }
for tool in sqlite3 psql; do
    command -v $tool >/dev/null || { echo "$0: $tool is missing (apt install sqlite3 postgresql-client)" >&2; exit 69; }
done

pg() { psql "$url" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

if ! pg -c "SELECT 1 FROM herald_migration WHERE identifier = 'p1 queue'" 2>/dev/null | grep -q 1; then
    echo "$0: $url has no Herald schema: run heraldd --migrate-queue on a configuration naming it first" >&2
    exit 65
fi
busy=$(pg -c "SELECT (SELECT COUNT(*) FROM org) + (SELECT COUNT(*) FROM message) + (SELECT COUNT(*) FROM outbox)")
if [ "$busy" != 0 ]; then
    echo "$0: $url already holds organizations or texts; the target must be a freshly migrated, empty queue" >&2
    exit 65
fi
if [ "$(sqlite3 "$db" "PRAGMA user_version")" = "" ]; then
    echo "$0: $db is not a Herald queue" >&2
    exit 65
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Parents before children, so every foreign key finds its row. SQLite's `user` is `org_user` there.
tables="org user phone_number contact contact_number consent_ledger consent message_template contact_group
    contact_group_member broadcast outbox message message_event message_part inbound_message usage credit_allocation
    admin_change reply_forward"

script=$work/load.sql
echo "BEGIN;" >"$script"
for table in $tables; do
    target=$table
    [ "$table" = user ] && target=org_user
    columns=$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('$table')")
    if [ -z "$columns" ]; then
        echo "$0: $db has no table $table: upgrade it with this Herald's heraldd first" >&2
        exit 65
    fi
    known=$(pg -c "SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '$target'")
    for column in $(echo "$columns" | tr ',' ' '); do
        case ",$known," in
        *",$column,"*) ;;
        *) echo "$0: $table.$column has no place in $target on $url: are both at the same Herald version?" >&2; exit 65 ;;
        esac
    done
    # NULL is an empty field and '' a quoted one, as PostgreSQL's CSV reads them.
    sqlite3 "$db" ".mode csv" ".nullvalue ''" "SELECT $columns FROM \"$table\"" >"$work/$table.csv"
    # printf, not echo: dash's echo reads "\c" in "\copy" as "stop here".
    {
        echo "ALTER TABLE $target DISABLE TRIGGER USER;"
        printf '\\copy %s (%s) FROM '"'"'%s'"'"' WITH (FORMAT csv)\n' "$target" "$columns" "$work/$table.csv"
        echo "ALTER TABLE $target ENABLE TRIGGER USER;"
    } >>"$script"
done
# Sequences go on after the highest id copied; the outbox's also after every message id, since a
# message keeps its outbox row's id and Herald's own texts draw from the same sequence.
for table in $tables; do
    target=$table
    [ "$table" = user ] && target=org_user
    sequence=$(pg -c "SELECT pg_get_serial_sequence('$target', column_name) FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = '$target' AND column_name = 'id'")
    [ -n "$sequence" ] || continue
    floor="(SELECT COALESCE(MAX(id), 0) FROM $target)"
    [ "$target" = outbox ] && floor="GREATEST($floor, (SELECT COALESCE(MAX(id), 0) FROM message))"
    echo "SELECT setval('$sequence', $floor + 1, false);" >>"$script"
done
echo "COMMIT;" >>"$script"
pg -f "$script" >/dev/null

messages=$(pg -c "SELECT COUNT(*) FROM message")
events=$(pg -c "SELECT COUNT(*) FROM message_event")
consent=$(pg -c "SELECT COUNT(*) FROM consent_ledger")
echo "copied $db into $url: $messages messages, $events events, $consent consent changes"
