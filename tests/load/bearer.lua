-- GET with `Authorization: Bearer $TOKEN`: run.sh signs one seeded person in with curl first and
-- exports the session token.
local token = os.getenv("TOKEN")
if not token or token == "" then
  error("bearer.lua: TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
