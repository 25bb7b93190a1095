-- POST /api/v1/auth/login as the seeded people listed in $LOGINS_FILE (one login a line), in
-- turn, with the shared seed password $SEED_PASSWORD: every request is a real, successful sign-in
-- (argon2 verification, a new session committed, an audit entry), never the same person twice
-- in a row. Each wrk thread starts at its own place in the list.
local logins = {}
local file = os.getenv("LOGINS_FILE")
local password = os.getenv("SEED_PASSWORD")
if not file or not password then
  error("sign-in.lua: LOGINS_FILE and SEED_PASSWORD must be set")
end
for line in io.lines(file) do
  if line ~= "" then
    logins[#logins + 1] = line
  end
end
if #logins == 0 then
  error("sign-in.lua: no logins in " .. file)
end

local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

local i = 0
function request()
  i = i + 1
  local login = logins[((offset or 0) + i) % #logins + 1]
  local body = '{"login":"' .. login .. '","password":"' .. password .. '"}'
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
