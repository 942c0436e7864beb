#!/bin/bash
# Full-disk audit (issue 13): `nprl train` into tmpfs folders of 10 sizes, 64 kB to 3 MB.
# Per size: exit status, one 'nprl: error:' line or not, tracebacks, temporaries left,
# whether the last checkpoint verifies, and (when no checkpoint was written) whether
# `nprl train --out SAME --overwrite` restarts in place once space is freed.
# Needs root on Linux (mount -t tmpfs). Run from the repository root:
#   sudo bash benchmarks/audit_full_disk.sh
set -u
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python}
DISK=$(mktemp -d)
OUT=$(mktemp)
one=0; stray=0; kept=0; restart=0; nocheckpoint=0; n=0
printf "%-6s %-3s %-8s %-10s %-5s %s\n" size rc one-line traceback left checkpoint
for size in 64k 128k 200k 300k 500k 700k 1m 1500k 2m 3m; do
  n=$((n+1)); state=failed; mount -t tmpfs -o size=$size tmpfs "$DISK" || exit 1
  $PY -m nprl train --steps 30000 --out "$DISK/run" --no-progress \
      --set checkpoint_interval=1000 > "$OUT" 2>&1
  rc=$?
  lines=$(grep -c "^nprl: error: no space left in $DISK/run" "$OUT")
  tb=$(grep -c Traceback "$OUT")
  [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ "$tb" = 0 ] && one=$((one+1))
  left=$(find "$DISK/run" -name '.tmp-*' -o -name '.*.tmp' -o -name '.old-*' | wc -l)
  [ "$left" -gt 0 ] && stray=$((stray+1))
  if [ -f "$DISK/run/checkpoints/latest" ]; then
    $PY -c "import sys; from nprl.rl.run_dir import RunDir; from nprl.fileio import verify_manifest; verify_manifest(RunDir(sys.argv[1]).latest_checkpoint(), recursive=True)" "$DISK/run" \
      && kept=$((kept+1)) && state=kept
  else
    nocheckpoint=$((nocheckpoint+1)); mount -o remount,size=8m "$DISK"  # space freed
    $PY -m nprl train --steps 300 --out "$DISK/run" --no-progress --overwrite > /dev/null 2>&1 \
      && restart=$((restart+1)) && state="none, restarted"
  fi
  printf "%-6s %-3s %-8s %-10s %-5s %s\n" "$size" "$rc" "$lines" "$tb" "$left" "$state"
  umount "$DISK"
done
rm -rf "$DISK" "$OUT"
echo "one-line errors $one/$n; runs leaving temporaries $stray/$n; last checkpoint verified" \
     "$kept/$((n-nocheckpoint)); restarted in place with --overwrite $restart/$nocheckpoint"
