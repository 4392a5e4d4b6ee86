-- wrk script: one signed-in session per run (cookie from the environment); POST bodies get a fresh draft key per
-- request so every autosave is a real first save, never a 409.
local method = os.getenv("WRK_METHOD") or "GET"
local cookie = os.getenv("WRK_COOKIE") or ""
local body = os.getenv("WRK_BODY") or ""
local csrf = os.getenv("WRK_CSRF") or ""
local counter = 0
local notes = {}
for id in string.gmatch(os.getenv("WRK_NOTES") or "", "%d+") do notes[#notes + 1] = id end
local threads = 0

-- Runs once per thread before it starts (in the main Lua state; the value becomes the global `thread_index` in the
-- thread's own state): thread i signs notes i, i+2, i+4, … so no draft is signed twice.
setup = function(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

-- Each wrk thread has its own Lua state: seed it uniquely so two threads never send the same draft key.
init = function(args)
  local address = tonumber(tostring({}):match("0x(%x+)"), 16) or 0
  math.randomseed(os.time() + address % 1000003)
end

request = function()
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if method == "POST" then
    counter = counter + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["HX-Request"] = "true"
    headers["X-CSRF-Token"] = csrf
    local key = string.format("bench%08d%08d", math.random(0, 99999999), counter)
    local path = nil
    if #notes > 0 then
      local n = notes[(((thread_index or 0) + 2 * (counter - 1)) % #notes) + 1]
      path = "/notes/" .. n .. "/sign"
    end
    return wrk.format("POST", path, headers, (body:gsub("KEY", key)))
  end
  return wrk.format("GET", nil, headers, nil)
end
