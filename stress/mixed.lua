-- wrk script: GET the paths listed in the file named by the first argument (one a line), in
-- turn from a different place for each thread, and print one JSON line of figures at the end.
--   wrk -c64 -d30s -s stress/mixed.lua https://127.0.0.1:8443 -- var/stress/mixed-paths.txt
local paths, counter = {}, 0

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["Accept-Encoding"] = "gzip"})
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx_3xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "bytes": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.bytes))
end
