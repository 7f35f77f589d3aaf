-- wrk script: each thread sends its own share of the pre-signed requests, once each, and the
-- summary prints messages/s and the p50/p95/p99 latency.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local file = os.getenv("BENCH_REQUESTS")
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  -- BENCH_CLOSE=1: a new connection per request, as nginx opens them without upstream keep-alive
  local headers = {["Content-Type"] = "text/xml"}
  if os.getenv("BENCH_CLOSE") == "1" then headers["Connection"] = "close" end
  requests, position = {}, 1
  local index = 0
  for line in io.lines(file) do
    if index % nthreads == id then
      local path, body = line:match("^([^\t]+)\t(.*)$")
      table.insert(requests, wrk.format("POST", path, headers, body))
    end
    index = index + 1
  end
end

replies = 0

-- Count real XML replies, so a service answering only "success" cannot pass for a fast one.
function response(status, headers, body)
  if status == 200 and body:find("<xml>", 1, true) then
    replies = replies + 1
  end
end

function request()
  if position > #requests then
    wrk.thread:stop()
    position = 1
  end
  local next_request = requests[position]
  position = position + 1
  return next_request
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("messages: %d in %.1f s (%.1f messages/s)\n", summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  local answered = 0
  for _, thread in ipairs(threads) do
    answered = answered + (thread:get("replies") or 0)
  end
  io.write(string.format("XML replies: %d of %d\n", answered, summary.requests))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d: %.1f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max: %.1f ms\n", latency.max / 1000))
end
