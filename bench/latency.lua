-- Prints one machine-readable line with requests/s and latency percentiles (milliseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\"rps\": %.1f, \"p50\": %.2f, \"p95\": %.2f, \"p99\": %.2f, \"requests\": %d, \"errors\": %d, \"non2xx\": %d}\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
