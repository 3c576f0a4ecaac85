#!/usr/bin/env bash
# Regenerates reference-hashes.tsv: Argon2id PHC strings made by other implementations, with cheap
# parameters, which SecurityKit must verify. Needs (Debian): argon2 python3-argon2 php-cli
#   apt-get install -y argon2 python3-argon2 php-cli
# Columns: tool <TAB> password <TAB> PHC string. Passwords contain no tab or newline.
set -euo pipefail
cd "$(dirname "$0")"
PY=/usr/bin/python3
out=reference-hashes.tsv
: > "$out"
passwords=("password" "correct horse battery staple" "pässwörd-ünïcödé" "密码123-пароль" 'p@ss w0rd!$%^&*()')
# argon2 reference CLI (phc-winner-argon2): salt, t, m (KiB), p, tag length
i=0
for pw in "${passwords[@]}"; do
  for spec in "somesalt:1:64:1:32" "saltsaltsaltsalt:2:256:2:32" "0123456789abcdef:3:1024:4:16" "longer-salt-value-xyz:1:512:1:64"; do
    IFS=: read -r salt t m p l <<<"$spec"
    k=$m
    hash=$(printf '%s' "$pw" | argon2 "$salt" -id -t "$t" -k "$k" -p "$p" -l "$l" -e)
    printf 'argon2-cli\t%s\t%s\n' "$pw" "$hash" >> "$out"
  done
  i=$((i+1))
done
# Python argon2-cffi
for pw in "${passwords[@]}"; do
  $PY - "$pw" >> "$out" <<'PYEOF'
import sys
from argon2 import PasswordHasher
pw = sys.argv[1]
for (t, m, p, l, s) in [(1, 64, 1, 32, 16), (2, 512, 2, 16, 16), (3, 1024, 1, 32, 32)]:
    h = PasswordHasher(time_cost=t, memory_cost=m, parallelism=p, hash_len=l, salt_len=s).hash(pw)
    print("python-argon2-cffi\t%s\t%s" % (pw, h))
PYEOF
done
# PHP password_hash
for pw in "${passwords[@]}"; do
  php -r '$pw = $argv[1]; foreach ([[64,1,1],[1024,2,1],[256,1,2]] as [$m,$t,$p]) { echo "php-password_hash\t", $pw, "\t", password_hash($pw, PASSWORD_ARGON2ID, ["memory_cost"=>$m,"time_cost"=>$t,"threads"=>$p]), "\n"; }' -- "$pw" >> "$out"
done
wc -l "$out"
