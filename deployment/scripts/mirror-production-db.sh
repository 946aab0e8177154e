#!/usr/bin/env bash
# Copy the production database into the local dev database (the quickstart's step 1).
# Run with --help for the flags and the environment it reads.
set -euo pipefail

PROG=$(basename "$0")

usage() {
    cat <<EOF
Usage: $PROG (--days=N | --full | --schema-only) [--dry-run] [--yes]

Copy the production database into the local dev database, so every later step of the
workflow runs on real data locally. The source is only read (mysqldump
--single-transaction, SELECTs); the copy is loaded into a staging database next to the
target and moved into the target only once it is complete.

Modes (exactly one):
  --days=N       the N days ending at the source's newest park_activity_snapshots.recorded_at
                 (starting at the whole UTC hour N days before that hour): snapshots,
                 hourly and daily stats, stale marks, data-quality issues and the
                 aggregation log of that window; parks, rides, park_schedules and
                 alembic_version whole; job_locks empty
  --full         every row up to the newest snapshot (the same tables, no lower bound)
  --schema-only  the tables and alembic_version only, no other rows

Options:
  --dry-run      print the plan (source, target, window, what each table gets) and stop;
                 nothing is changed anywhere
  --yes          replace an existing target database without asking
  --help         this text

Source (production), read from the environment:
  PROD_SSH_HOST  run mysqldump/mysql on this host over ssh (PROD_SSH_CMD, default "ssh",
                 is the command used, e.g. "ssh -C -p 2222"); credentials come from the
                 server's ~/.my.cnf, or PROD_DB_USER / PROD_DB_HOST / PROD_DB_PORT as
                 seen from that host
  PROD_DB_HOST   without PROD_SSH_HOST: a directly reachable server, with PROD_DB_PORT
                 (3306), PROD_DB_USER (root) and PROD_DB_PASSWORD (empty)
  PROD_DB_NAME   the production database (default themepark_tracker)

Target (the local server), as the application reads it:
  DATABASE_NAME  default themepark_tracker_dev; a name containing "prod" is refused
  DB_HOST (127.0.0.1), DB_PORT (3306), DB_USER (root), DB_PASSWORD (empty), DB_SOCKET

Every session runs in UTC (mysqldump --tz-utc). After the copy an audit compares every
table, source against target: row count and the first and last time of its time column,
plus its columns (names, nullability, ON UPDATE), each line MATCH or MISMATCH. The exit
status is 0 when every table matches, 1 on any mismatch or error, 2 on bad usage.

Example:
  PROD_SSH_HOST=tracker.example.org ./mirror-production-db.sh --days=7
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
usage_error() { echo "$PROG: $*" >&2; echo "Try '$PROG --help'." >&2; exit 2; }
say() { printf '%s\n' "$*"; }

# --- the tables and what bounds them (mirror.py's TABLE_BOUNDS says the same; a test pins
# the two together) -----------------------------------------------------------------------
# "column kind": kind is datetime (bounded by the window's instants) or date (by its dates).
declare -A TIME_COLUMN=(
    [park_activity_snapshots]="recorded_at datetime"
    [ride_status_snapshots]="recorded_at datetime"
    [park_hourly_stats]="hour_start_utc datetime"
    [ride_hourly_stats]="hour_start_utc datetime"
    [park_daily_stats]="stat_date date"
    [ride_daily_stats]="stat_date date"
    [stale_hours]="hour_start_utc datetime"
    [stale_days]="local_date date"
    [data_quality_issues]="recorded_at datetime"
    [aggregation_log]="started_at run"
)
# Copied whole whatever the mode: the catalogue, schedules (small; future dates included)
# and the schema revision.
WHOLE_TABLES=" parks rides park_schedules alembic_version "
# Copied as an empty table: a lock held on production must not block the local jobs.
SCHEMA_ONLY_TABLES=" job_locks "

# --- options ----------------------------------------------------------------------------------

MODE="" DAYS="" DRY_RUN=0 ASSUME_YES=0
for arg in "$@"; do
    case "$arg" in
        --days=*)
            [[ -z "$MODE" ]] || usage_error "give only one of --days=N, --full, --schema-only"
            MODE=days DAYS=${arg#--days=}
            [[ "$DAYS" =~ ^[1-9][0-9]{0,4}$ ]] \
                || usage_error "--days must be a whole number of days from 1, got '$DAYS'"
            ;;
        --days)
            usage_error "write --days=N (e.g. --days=7)" ;;
        --full|--schema-only)
            [[ -z "$MODE" ]] || usage_error "give only one of --days=N, --full, --schema-only"
            MODE=${arg#--}
            ;;
        --dry-run) DRY_RUN=1 ;;
        --yes|-y) ASSUME_YES=1 ;;
        --help|-h) usage; exit 0 ;;
        *) usage_error "unknown option '$arg'" ;;
    esac
done
[[ -n "$MODE" ]] || usage_error "give one of --days=N, --full or --schema-only"

TARGET=${DATABASE_NAME:-themepark_tracker_dev}
SOURCE=${PROD_DB_NAME:-themepark_tracker}
NAME_RE='^[A-Za-z0-9_]{1,64}$'
[[ "$TARGET" =~ $NAME_RE ]] || die "DATABASE_NAME '$TARGET' is not a plain database name (letters, digits, _)"
[[ "$SOURCE" =~ $NAME_RE ]] || die "PROD_DB_NAME '$SOURCE' is not a plain database name (letters, digits, _)"
if [[ "${TARGET,,}" == *prod* ]]; then
    die "refusing to write to '$TARGET': the target's name contains 'prod' (set DATABASE_NAME to a dev database)"
fi
STAGING="${TARGET}__mirror_new" OLD="${TARGET}__mirror_old"
(( ${#STAGING} <= 64 )) || die "DATABASE_NAME '$TARGET' is too long to stage the copy next to it"

for tool in mysql mysqldump; do
    command -v "$tool" >/dev/null || die "the '$tool' client is not installed (apt-get install mariadb-client)"
done

# --- talking to the source and the target --------------------------------------------------

TMPDIR_MIRROR=$(mktemp -d)
STAGING_CREATED=0
cleanup() {
    local status=$?
    if (( STAGING_CREATED )); then
        local_mysql -e "DROP DATABASE IF EXISTS \`$STAGING\`; DROP DATABASE IF EXISTS \`$OLD\`" \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$TMPDIR_MIRROR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

UTC_INIT="SET time_zone='+00:00'"

# A client option file holding a password (readable by us only), so that it is never on a
# command line: backslashes and double quotes escaped for the option-file syntax.
option_file() {
    local escaped=${2//\\/\\\\}
    escaped=${escaped//\"/\\\"}
    (umask 077 && printf '[client]\npassword="%s"\n' "$escaped" >"$1")
}
# Source connection options, for mysql and mysqldump alike. An option file, when used, must
# come first.
SRC_OPTS=()
if [[ -n "${PROD_SSH_HOST:-}" ]]; then
    read -r -a SSH_CMD <<<"${PROD_SSH_CMD:-ssh}"
    [[ ${#SSH_CMD[@]} -gt 0 ]] || die "PROD_SSH_CMD is empty"
    [[ -n "${PROD_DB_HOST:-}" ]] && SRC_OPTS+=("--host=$PROD_DB_HOST")
    [[ -n "${PROD_DB_PORT:-}" ]] && SRC_OPTS+=("--port=$PROD_DB_PORT")
    [[ -n "${PROD_DB_USER:-}" ]] && SRC_OPTS+=("--user=$PROD_DB_USER")
    [[ -z "${PROD_DB_PASSWORD:-}" ]] \
        || die "PROD_DB_PASSWORD is not sent over ssh (it would show in the remote command line); put it in ~/.my.cnf on $PROD_SSH_HOST"
    SOURCE_LABEL="$SOURCE on $PROD_SSH_HOST (over ${SSH_CMD[*]})"
elif [[ -n "${PROD_DB_HOST:-}" ]]; then
    SSH_CMD=()
    if [[ -n "${PROD_DB_PASSWORD:-}" ]]; then
        option_file "$TMPDIR_MIRROR/source.cnf" "$PROD_DB_PASSWORD"
        SRC_OPTS+=("--defaults-extra-file=$TMPDIR_MIRROR/source.cnf")
    fi
    SRC_OPTS+=("--host=$PROD_DB_HOST" "--port=${PROD_DB_PORT:-3306}" "--user=${PROD_DB_USER:-root}")
    SOURCE_LABEL="$SOURCE on ${PROD_DB_HOST}:${PROD_DB_PORT:-3306}"
else
    die "no source: set PROD_SSH_HOST (mysqldump runs there over ssh) or PROD_DB_HOST (a server reachable from here), and PROD_DB_NAME"
fi

# Run a client program against the source: locally, or on the ssh host with every argument
# quoted for its shell. Never given stdin (ssh would swallow ours).
source_run() {
    if (( ${#SSH_CMD[@]} )); then
        local remote
        remote=$(printf '%q ' "$@")
        "${SSH_CMD[@]}" "$PROD_SSH_HOST" "$remote" </dev/null
    else
        "$@" </dev/null
    fi
}

source_query() {  # one SQL statement on the source database; tab-separated rows, no header
    source_run mysql "${SRC_OPTS[@]}" --batch --skip-column-names "--init-command=$UTC_INIT" \
        "--database=$SOURCE" --execute="${1//$'\n'/ }"
}

LOCAL_OPTS=()
if [[ -n "${DB_PASSWORD:-}" ]]; then
    option_file "$TMPDIR_MIRROR/local.cnf" "$DB_PASSWORD"
    LOCAL_OPTS+=("--defaults-extra-file=$TMPDIR_MIRROR/local.cnf")
fi
if [[ -n "${DB_SOCKET:-}" ]]; then
    LOCAL_OPTS+=("--socket=$DB_SOCKET")
else
    LOCAL_OPTS+=("--host=${DB_HOST:-127.0.0.1}" "--port=${DB_PORT:-3306}")
fi
LOCAL_OPTS+=("--user=${DB_USER:-root}")
TARGET_LABEL="$TARGET on the local server (${DB_SOCKET:-${DB_HOST:-127.0.0.1}:${DB_PORT:-3306}})"

local_mysql() {
    mysql "${LOCAL_OPTS[@]}" --batch --skip-column-names \
        "--init-command=$UTC_INIT, explicit_defaults_for_timestamp=1" "$@"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

START_CLOCK=$SECONDS
elapsed() { printf '%ds' $((SECONDS - START_CLOCK)); }

# --- the plan ----------------------------------------------------------------------------------

say "Mirror: $SOURCE_LABEL -> $TARGET_LABEL"
say "Mode: $MODE${DAYS:+ ($DAYS days)}"

source_query "SELECT 1" >/dev/null \
    || die "cannot read the source database $SOURCE_LABEL (see the client's message above)"
local_mysql -e "SELECT 1" >/dev/null \
    || die "cannot reach the local server as ${DB_USER:-root} (see the client's message above)"

# The source and the target must not be one database on one server.
SOURCE_SERVER=$(source_query "SELECT CONCAT(@@hostname, ':', @@port, ':', @@datadir)")
LOCAL_SERVER=$(local_mysql -e "SELECT CONCAT(@@hostname, ':', @@port, ':', @@datadir)")
if [[ "$SOURCE_SERVER" == "$LOCAL_SERVER" && ( "$SOURCE" == "$TARGET" || "$SOURCE" == "$STAGING" || "$SOURCE" == "$OLD" ) ]]; then
    die "the source and the target are the same database ($SOURCE on this server); refusing"
fi

mapfile -t TABLES < <(source_query "SELECT TABLE_NAME FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")
(( ${#TABLES[@]} )) || die "the source database $SOURCE has no tables"
has_table() { [[ " ${TABLES[*]} " == *" $1 "* ]]; }

REVISION="none"
if has_table alembic_version; then
    REVISION=$(source_query "SELECT GROUP_CONCAT(version_num) FROM alembic_version")
fi
say "Source schema revision: $REVISION (${#TABLES[@]} tables)"

# The window: END is the newest snapshot, START the whole UTC hour N days before its hour;
# AS_OF (the source's clock now) bounds the aggregation log. Computed by the source itself.
START="" END="" START_DATE="" END_DATE="" AS_OF=""
if [[ "$MODE" != schema-only ]]; then
    has_table park_activity_snapshots \
        || die "the source has no park_activity_snapshots table; use --schema-only"
    window=$(source_query "SELECT MAX(recorded_at),
        CAST(DATE_FORMAT(MAX(recorded_at), '%Y-%m-%d %H:00:00') AS DATETIME) - INTERVAL ${DAYS:-0} DAY,
        UTC_TIMESTAMP() FROM park_activity_snapshots")
    IFS=$'\t' read -r END START AS_OF <<<"$window"
    [[ "$END" != NULL ]] || die "the source's park_activity_snapshots is empty: no newest snapshot to mirror up to (use --schema-only)"
    [[ "$MODE" == days ]] || START=""
    START_DATE=${START:0:10} END_DATE=${END:0:10}
    if [[ "$MODE" == days ]]; then
        say "Window: $START to $END UTC (the $DAYS days ending at the newest snapshot)"
    else
        say "Window: everything up to the newest snapshot, $END UTC"
    fi
fi

# The WHERE clause that selects what the target gets from table $1 ("" = every row;
# "NONE" = no row).
where_for() {
    local table=$1 column kind lower upper
    [[ "$table" == alembic_version ]] && { echo ""; return; }
    [[ "$MODE" == schema-only ]] && { echo NONE; return; }
    [[ "$SCHEMA_ONLY_TABLES" == *" $table "* ]] && { echo NONE; return; }
    [[ -n "${TIME_COLUMN[$table]:-}" ]] || { echo ""; return; }
    read -r column kind <<<"${TIME_COLUMN[$table]}"
    case "$kind" in
        datetime) lower=$START upper=$END ;;
        date) lower=$START_DATE upper=$END_DATE ;;
        run) lower=$START upper=$AS_OF ;;
    esac
    if [[ -n "$START" ]]; then
        echo "\`$column\` >= $(sql_quote "$lower") AND \`$column\` <= $(sql_quote "$upper")"
    else
        echo "\`$column\` <= $(sql_quote "$upper")"
    fi
}

say "Plan:"
for table in "${TABLES[@]}"; do
    where=$(where_for "$table")
    if [[ "$where" == NONE ]]; then
        what="table only, no rows"
    elif [[ -z "$where" ]]; then
        what="every row"
        if [[ "$WHOLE_TABLES" != *" $table "* ]]; then
            what="every row (a table this script does not know)"
        fi
    else
        what="rows where $where"
    fi
    printf '  %-26s %s\n' "$table" "$what"
done

TARGET_EXISTS=$(local_mysql -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = $(sql_quote "$TARGET")")
if (( TARGET_EXISTS )); then
    say "The target $TARGET exists: it will be dropped and replaced once the copy is complete."
else
    say "The target $TARGET does not exist: it will be created."
fi

if (( DRY_RUN )); then
    say "Dry run: nothing was changed."
    exit 0
fi

if (( TARGET_EXISTS && ! ASSUME_YES )); then
    if [[ ! -t 0 ]]; then
        die "the target $TARGET exists and there is no terminal to ask on; pass --yes to replace it"
    fi
    read -r -p "Drop the local database $TARGET and replace it with the copy? [y/N] " answer
    [[ "$answer" == [yY] || "$answer" == [yY][eE][sS] ]] || { say "Nothing changed."; exit 1; }
fi

# --- the copy ----------------------------------------------------------------------------------

DUMP_OPTS=(--single-transaction --tz-utc --skip-lock-tables --no-tablespaces --hex-blob
           --default-character-set=utf8mb4 --skip-comments)

local_mysql -e "DROP DATABASE IF EXISTS \`$STAGING\`; CREATE DATABASE \`$STAGING\` CHARACTER SET utf8mb4"
STAGING_CREATED=1

copy_step() {  # $1 = what it is, then the mysqldump arguments after the options
    local what=$1 began=$SECONDS
    shift
    printf '  %-60s' "$what"
    if ! source_run mysqldump "${SRC_OPTS[@]}" "${DUMP_OPTS[@]}" "$@" \
            | local_mysql "--database=$STAGING"; then
        echo
        die "copying $what failed (see the messages above); the target $TARGET is unchanged"
    fi
    printf ' %ds (total %s)\n' $((SECONDS - began)) "$(elapsed)"
}

say "Copying (into the staging database $STAGING):"
copy_step "schema of ${#TABLES[@]} tables" --no-data --skip-triggers "$SOURCE"
n=0
for table in "${TABLES[@]}"; do
    n=$((n + 1))
    where=$(where_for "$table")
    [[ "$where" == NONE ]] && continue
    args=(--no-create-info --skip-triggers)
    [[ -n "$where" ]] && args+=("--where=$where")
    copy_step "[$n/${#TABLES[@]}] $table" "${args[@]}" "$SOURCE" "$table"
done

# The swap is one RENAME TABLE (atomic): the target's tables aside into $OLD, the copy's into
# the target. Until it has run the target is whole; if it fails, both are as they were.
mapfile -t OLD_TABLES < <(local_mysql -e "SELECT TABLE_NAME FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = $(sql_quote "$TARGET") AND TABLE_TYPE = 'BASE TABLE'")
renames=()
for table in "${OLD_TABLES[@]}"; do
    renames+=("\`$TARGET\`.\`$table\` TO \`$OLD\`.\`$table\`")
done
for table in "${TABLES[@]}"; do
    renames+=("\`$STAGING\`.\`$table\` TO \`$TARGET\`.\`$table\`")
done
rename_sql=$(IFS=,; echo "${renames[*]}")
local_mysql -e "CREATE DATABASE IF NOT EXISTS \`$TARGET\` CHARACTER SET utf8mb4;
    DROP DATABASE IF EXISTS \`$OLD\`; CREATE DATABASE \`$OLD\` CHARACTER SET utf8mb4;
    RENAME TABLE $rename_sql; DROP DATABASE \`$OLD\`; DROP DATABASE \`$STAGING\`;"
STAGING_CREATED=0
say "Copied into $TARGET in $(elapsed)."

# --- the audit ---------------------------------------------------------------------------------

# One statement per side: for each table its row count and the first and last value of its
# time column, within the copied bounds on the source, whole on the target.
audit_sql() {  # $1 = source|target
    local side=$1 parts=() table column kind where
    for table in "${TABLES[@]}"; do
        column="" kind=""
        [[ -n "${TIME_COLUMN[$table]:-}" ]] && read -r column kind <<<"${TIME_COLUMN[$table]}"
        where=$(where_for "$table")
        if [[ "$side" == target || -z "$where" ]]; then
            where="1=1"
        elif [[ "$where" == NONE ]]; then
            where="1=0"
        fi
        if [[ -n "$column" ]]; then
            parts+=("SELECT '$table', COUNT(*), COALESCE(MIN(\`$column\`), '-'), COALESCE(MAX(\`$column\`), '-') FROM \`$table\` WHERE $where")
        else
            parts+=("SELECT '$table', COUNT(*), '-', '-' FROM \`$table\` WHERE $where")
        fi
    done
    local IFS=$'\n'
    printf '%s\n' "${parts[*]}" | sed '2,$s/^/UNION ALL /'
}
columns_sql="SELECT TABLE_NAME, GROUP_CONCAT(CONCAT(COLUMN_NAME, ' ', IS_NULLABLE,
    IF(EXTRA LIKE '%on update%', ' ON UPDATE', '')) ORDER BY ORDINAL_POSITION SEPARATOR ', ')
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME"

say "Audit (source within the copied bounds against target):"
declare -A SRC_ROWS TGT_ROWS SRC_COLS TGT_COLS
while IFS=$'\t' read -r table count lo hi; do SRC_ROWS[$table]="$count"$'\t'"$lo"$'\t'"$hi"; done \
    < <(source_query "$(audit_sql source)")
while IFS=$'\t' read -r table count lo hi; do TGT_ROWS[$table]="$count"$'\t'"$lo"$'\t'"$hi"; done \
    < <(local_mysql "--database=$TARGET" -e "$(audit_sql target)")
while IFS=$'\t' read -r table cols; do SRC_COLS[$table]=$cols; done < <(source_query "$columns_sql")
while IFS=$'\t' read -r table cols; do TGT_COLS[$table]=$cols; done \
    < <(local_mysql "--database=$TARGET" -e "$columns_sql")

mismatches=0
printf '  %-26s %12s %12s  %-43s %s\n' table "source rows" "target rows" "first .. last (target)" result
for table in "${TABLES[@]}"; do
    IFS=$'\t' read -r s_count _ _ <<<"${SRC_ROWS[$table]:-?}"
    IFS=$'\t' read -r t_count t_lo t_hi <<<"${TGT_ROWS[$table]:-?}"
    span="-"
    [[ -z "${TIME_COLUMN[$table]:-}" ]] || span="$t_lo .. $t_hi"
    result=MATCH
    if [[ "${SRC_ROWS[$table]:-x}" != "${TGT_ROWS[$table]:-y}" ]]; then
        result="MISMATCH (rows or time range: source ${SRC_ROWS[$table]//$'\t'/ | })"
    elif [[ "${SRC_COLS[$table]:-x}" != "${TGT_COLS[$table]:-y}" ]]; then
        result="MISMATCH (columns: source [${SRC_COLS[$table]:-}] target [${TGT_COLS[$table]:-}])"
    fi
    [[ "$result" == MATCH ]] || mismatches=$((mismatches + 1))
    printf '  %-26s %12s %12s  %-43s %s\n' "$table" "$s_count" "$t_count" "$span" "$result"
done

if (( mismatches )); then
    say "Audit: $mismatches of ${#TABLES[@]} tables MISMATCH (if production was written during the copy, run the mirror again). Elapsed $(elapsed)."
    exit 1
fi
say "Audit: all ${#TABLES[@]} tables MATCH. $TARGET is at revision $REVISION. Elapsed $(elapsed)."
