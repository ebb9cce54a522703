-- wrk script for bench/http.py: sends the session cookie (LIAISON_COOKIE) and prints one
-- machine-readable line with requests/s, p50, p99 (ms) and errors (socket + non-2xx/3xx).
local cookie = os.getenv("LIAISON_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
wrk.headers["Accept-Encoding"] = "identity"

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d status_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors, summary.errors.status))
end
