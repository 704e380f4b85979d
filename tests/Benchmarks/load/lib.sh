# Shell helpers of run.sh and ab.sh (sourced, not run).

# A free TCP port on the loopback interface.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The process's CPU (user and system) so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { local st; read -r -a st < "/proc/$1/stat"; echo $(( st[13] + st[14] )); }
# The process's resident memory now, in MB.
rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
