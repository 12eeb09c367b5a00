"""The Job that creates Dremio's first admin user, then the dbt and Superset service users, then
registers the lake as a source (lake_source.py, the Job's second step).

Dremio has no configuration key or environment variable for its first user: a fresh cluster
answers every API call with "no user" until someone calls `PUT /apiv2/bootstrap/firstuser`
(what the UI's first screen does). This Job does it with generated passwords, idempotently:
if the admin can already log in it only makes sure the service users exist (`POST /api/v3/user`,
409 when they already do). The password goes through stdin as a JSON body: it never appears on
a command line (`printf` is a shell builtin).
"""

from __future__ import annotations

from .config import WEB_PORT

UID = 100  # `curl_user` of the curlimages/curl image
GID = 101

SCRIPT = r"""set -eu
API="http://${DREMIO_HOST}:__PORT__"
until curl -fsS -o /dev/null "$API/apiv2/server_status"; do echo "waiting for Dremio at $API"; sleep 10; done
# Bodies go through stdin (--data-binary @-), so passwords never appear on a command line.
login() {
  printf '{"userName":"%s","password":"%s"}' "$ADMIN_USER" "$ADMIN_PASSWORD" |
    curl -sS -o /tmp/login.json -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @- "$API/apiv2/login"
}
if [ "$(login)" != "200" ]; then
  code=$(printf '{"userName":"%s","firstName":"Platform","lastName":"Admin","email":"%s","createdAt":%s000,"password":"%s"}' \
      "$ADMIN_USER" "$ADMIN_EMAIL" "$(date +%s)" "$ADMIN_PASSWORD" |
    curl -sS -o /tmp/first.json -w '%{http_code}' -X PUT -H 'Content-Type: application/json' -H 'Authorization: _dremionull' \
      --data-binary @- "$API/apiv2/bootstrap/firstuser")
  if [ "$code" != "200" ]; then echo "bootstrap/firstuser answered HTTP $code"; cat /tmp/first.json; exit 1; fi
  [ "$(login)" = "200" ] || { echo "admin login failed after bootstrap"; exit 1; }
  echo "first admin user created"
fi
TOKEN=$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' /tmp/login.json)
[ -n "$TOKEN" ] || { echo "no token in the login answer"; exit 1; }
# Service users (dbt, Superset): POST /api/v3/user; 409 / "already exists" on a re-run.
service_user() {  # <name> <first name> <email> <password>
  code=$(printf '{"name":"%s","firstName":"%s","lastName":"service","email":"%s","password":"%s"}' "$1" "$2" "$3" "$4" |
    curl -sS -o /tmp/user.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: _dremio${TOKEN}" \
      --data-binary @- "$API/api/v3/user")
  case "$code" in
    200) echo "$2 service user created" ;;
    409) echo "$2 service user already exists" ;;
    *) if grep -qi "already exists" /tmp/user.json; then echo "$2 service user already exists"; else echo "creating the $2 user answered HTTP $code"; cat /tmp/user.json; exit 1; fi ;;
  esac
}
service_user "$DBT_USER" dbt "$DBT_EMAIL" "$DBT_PASSWORD"
if [ -n "${SUPERSET_USER:-}" ]; then service_user "$SUPERSET_USER" superset "$SUPERSET_EMAIL" "$SUPERSET_PASSWORD"; fi
""".replace("__PORT__", str(WEB_PORT))
