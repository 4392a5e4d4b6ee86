-- wrk script: one signed-in session per run (cookie from the environment); POST bodies get a fresh draft key per
-- request so every autosave is a real first save, never a 409.
local method = os.getenv("WRK_METHOD") or "GET"
local cookie = os.getenv("WRK_COOKIE") or ""
local body = os.getenv("WRK_BODY") or ""
local csrf = os.getenv("WRK_CSRF") or ""
local counter = 0

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
    return wrk.format("POST", nil, headers, (body:gsub("KEY", key)))
  end
  return wrk.format("GET", nil, headers, nil)
end
