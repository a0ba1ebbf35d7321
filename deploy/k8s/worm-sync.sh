#!/bin/sh
# The checkpoint log (eventstore/controlepuntlog.py) to and from a WORM bucket: S3 with Object Lock
# in COMPLIANCE mode (deploy/worm/), where nothing sent can be changed or removed before its
# retention ends, not with the checkpointer's credentials, not by the account's root.
#
#   worm-sync.sh stuur        every WORM_INTERVAL_S seconds, send what the log gained (the sidecar)
#   worm-sync.sh eenmaal      send it once
#   worm-sync.sh herstel      an empty log directory (a new volume) filled from the bucket, before
#                             the checkpointer starts; a log already there is left alone
#   worm-sync.sh haal MAP     the log as the bucket holds it, into MAP (an audit, `casus verifieer`);
#                             MAP/.worm keeps the heads fetched, so a next run fetches only new ones
#
# In the bucket, under WORM_PREFIX: `koppen/GGGGGGGGGGGG.jsonl`, the line of koppen.jsonl holding
# the signed head over the first G events of the log (an auditor holding a bundle fetches just the
# head it names), and `bladeren/…`, the leaf file each head names, sent before its head. Each object
# is written once, with If-None-Match: * (the bucket policy refuses any other write), so no head is
# ever replaced by a later version. A line that is no head (a write cut short by a crash) is not
# sent. An object sent before a restart is recognised by its bytes; other bytes under its name stop
# the sync (exit 3): the log here and the bucket disagree, which is for a person to judge.
#
# Settings: WORM_BUCKET (required), WORM_PREFIX (default controlepunten), WORM_INTERVAL_S (60),
# CASUS_CONTROLEPUNT_MAP (the log; default /var/lib/casus/controlepunten), WORM_STAAT (how much of
# koppen.jsonl was sent: bytes and lines; default beside the log). Credentials are the AWS CLI's own
# (a pod identity, or AWS_SHARED_CREDENTIALS_FILE); the image is the AWS CLI's, pinned by digest.
set -eu
export LC_ALL=C

: "${WORM_BUCKET:?set WORM_BUCKET to the Object Lock bucket}"
PREFIX="${WORM_PREFIX:-controlepunten}"
LOG="${CASUS_CONTROLEPUNT_MAP:-/var/lib/casus/controlepunten}"
STAAT="${WORM_STAAT:-$(dirname "$LOG")/worm.staat}"
INTERVAL="${WORM_INTERVAL_S:-60}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

meld() { echo "worm-sync: $*" >&2; }

# Sends file $1 as key $2, once. 0: sent now, or already there with these bytes; 1: not sent (try
# again); 3: the bucket holds other bytes under this key.
stuur_bestand() {
    if aws s3api put-object --bucket "$WORM_BUCKET" --key "$2" --body "$1" --if-none-match '*' \
        --checksum-algorithm SHA256 >/dev/null 2>"$TMP/fout"; then
        return 0
    fi
    if aws s3api get-object --bucket "$WORM_BUCKET" --key "$2" "$TMP/daar" >/dev/null 2>&1; then
        if [ "$(sha256sum <"$1")" = "$(sha256sum <"$TMP/daar")" ]; then
            return 0
        fi
        meld "s3://$WORM_BUCKET/$2 holds other bytes than $1"
        return 3
    fi
    meld "s3://$WORM_BUCKET/$2 not sent: $(cat "$TMP/fout")"
    return 1
}

# One round: each complete line of koppen.jsonl not yet sent, the leaf file its head names first.
ronde() {
    [ -f "$LOG/koppen.jsonl" ] || return 0
    verzonden=0
    regels=0
    if [ -f "$STAAT" ]; then
        read -r verzonden regels <"$STAAT"
    fi
    grootte=$(($(wc -c <"$LOG/koppen.jsonl")))
    [ "$grootte" -gt "$verzonden" ] || return 0
    # Only whole lines: `read` leaves out a last line with no newline yet (a head being written).
    tail -c +"$((verzonden + 1))" "$LOG/koppen.jsonl" >"$TMP/nieuw"
    while IFS= read -r regel; do
        regels=$((regels + 1))
        printf '%s\n' "$regel" >"$TMP/kop"
        boom=$(sed -n 's/^{"kop":{"grootte":\([0-9][0-9]*\),.*/\1/p' "$TMP/kop")
        if [ -z "$boom" ]; then
            meld "line $regels of koppen.jsonl is no head (a write cut short); not sent"
        else
            bladeren=$(sed -n 's/.*"bladeren":"\([^"]*\)".*/\1/p' "$TMP/kop")
            if [ -n "$bladeren" ] && [ -f "$LOG/$bladeren" ]; then
                stuur_bestand "$LOG/$bladeren" "$PREFIX/$bladeren" || return $?
            fi
            stuur_bestand "$TMP/kop" "$PREFIX/koppen/$(printf '%012d' "$boom").jsonl" || return $?
        fi
        verzonden=$((verzonden + $(wc -c <"$TMP/kop")))
        printf '%s %s\n' "$verzonden" "$regels" >"$STAAT.tmp"
        mv "$STAAT.tmp" "$STAAT"
    done <"$TMP/nieuw"
}

# The log as the bucket holds it, into $1 (the heads fetched into $2): the leaf files, and
# koppen.jsonl from its heads in order. Prints its size and number of lines.
haal() {
    doel="$1"
    spiegel="$2"
    mkdir -p "$doel" "$spiegel/koppen"
    aws s3 sync --only-show-errors "s3://$WORM_BUCKET/$PREFIX/koppen/" "$spiegel/koppen/"
    aws s3 sync --only-show-errors "s3://$WORM_BUCKET/$PREFIX/bladeren/" "$doel/bladeren/"
    # In order of tree size (zero-padded names, sorted by byte), read by the shell itself: one
    # process for any number of heads.
    ls -1 "$spiegel/koppen" | while IFS= read -r naam; do
        case "$naam" in *.jsonl) IFS= read -r regel <"$spiegel/koppen/$naam" && printf '%s\n' "$regel" ;; esac
    done >"$doel/koppen.jsonl.tmp"
    if [ ! -s "$doel/koppen.jsonl.tmp" ]; then
        rm -f "$doel/koppen.jsonl.tmp"
        return 0
    fi
    mv "$doel/koppen.jsonl.tmp" "$doel/koppen.jsonl"
    printf '%s %s\n' "$(($(wc -c <"$doel/koppen.jsonl")))" "$(($(wc -l <"$doel/koppen.jsonl")))"
}

case "${1:-}" in
    stuur)
        trap 'exit 0' TERM INT
        while :; do
            status=0
            ronde || status=$?
            [ "$status" -ne 3 ] || exit 3
            sleep "$INTERVAL" &
            wait $!
        done
        ;;
    eenmaal)
        ronde
        ;;
    herstel)
        if [ -e "$LOG/koppen.jsonl" ]; then
            meld "$LOG holds a checkpoint log already; nothing restored"
            exit 0
        fi
        staat=$(haal "$LOG" "$TMP/spiegel")
        if [ -n "$staat" ]; then
            printf '%s\n' "$staat" >"$STAAT"
            meld "restored $(echo "$staat" | cut -d' ' -f2) heads from s3://$WORM_BUCKET/$PREFIX"
        fi
        ;;
    haal)
        [ -n "${2:-}" ] || { meld "haal needs a directory"; exit 2; }
        haal "$2" "$2/.worm" >/dev/null
        ;;
    *)
        meld "usage: worm-sync.sh stuur | eenmaal | herstel | haal MAP"
        exit 2
        ;;
esac
