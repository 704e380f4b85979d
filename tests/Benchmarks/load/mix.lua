-- wrk script: POSTs the AdmissionReviews named after `--` in turn, by weight, on every
-- connection; at the end prints one RESULT line the runner reads (latencies in microseconds).
-- usage: wrk ... -s mix.lua URL -- [close] WEIGHT:FILE ...
-- With `close`, each request asks for its connection to be closed after the answer, so every
-- request pays a new TCP connection and TLS handshake.
local requests = {}
local n = 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for _, arg in ipairs(args) do
    if arg == "close" then headers["Connection"] = "close" end
  end
  for _, arg in ipairs(args) do
    local weight, file = arg:match("^(%d+):(.+)$")
    if weight ~= nil then
      local f = assert(io.open(file, "rb"))
      local body = f:read("*a")
      f:close()
      local request = wrk.format("POST", "/validate?timeout=10s", headers, body)
      for _ = 1, tonumber(weight) do requests[#requests + 1] = request end
    end
  end
  -- Threads start at different places in the mix, so they do not move in lockstep.
  n = math.random(#requests)
end

function request()
  n = n % #requests + 1
  return requests[n]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d p50=%d p99=%d p999=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
