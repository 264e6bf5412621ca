#!/bin/bash
P=/work/main/tests/AutomationApi.Tests/FakePulumi/pulumi
export PULUMI_BACKEND_URL=file:///tmp/scratch/st/be PULUMI_DEBUG_COMMANDS=true FAKE_STEP_DELAY=0
cd /tmp/scratch/st/ws
$P stack select conformance --create --non-interactive --cwd /tmp/scratch/st/ws
hangs=0
for i in $(seq 1 ${1:-200}); do
  rm -f /tmp/scratch/st/ev.jsonl
  $P up --yes --skip-preview --stack conformance --event-log /tmp/scratch/st/ev.jsonl --non-interactive --cwd /tmp/scratch/st/ws < /dev/null > /tmp/scratch/st/out 2>&1 &
  pid=$!
  sleep 0.0$((RANDOM % 10))$((RANDOM % 10))
  kill -INT $pid
  for t in $(seq 1 200); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  if kill -0 $pid 2>/dev/null; then
    hangs=$((hangs+1)); echo "HANG run $i pid $pid"; ps -o pid,ppid,stat,wchan:20,cmd --ppid $pid; ps -o pid,stat,wchan:20,cmd -p $pid; cat /proc/$pid/status | grep -E "Sig(Blk|Ign|Cgt|Pnd)|ShdPnd"; wc -l /tmp/scratch/st/ev.jsonl 2>&1; cat /tmp/scratch/st/out
    pkill -9 -P $pid; kill -9 $pid
  fi
  wait $pid 2>/dev/null
done
echo "hangs=$hangs"
