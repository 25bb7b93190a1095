-- Submit and approve, as people do: each connection submits a 事项呈报 as APPLICANT_TOKEN, and its
-- next request approves the task that submission made, as APPROVER_TOKEN (the applicant's
-- manager). Two requests make one pair; run.sh reports pairs per second.
local applicant = os.getenv("APPLICANT_TOKEN")
local approver = os.getenv("APPROVER_TOKEN")
if not applicant or applicant == "" or not approver or approver == "" then
  error("submit-approve.lua: APPLICANT_TOKEN and APPROVER_TOKEN must be set")
end
local queue = {}
local submit_body = '{"template_key":"general_submission","form":{"title":"压力测试","content":"请审批"}}'

request = function()
  local id = table.remove(queue, 1)
  if id then
    return wrk.format("POST", "/api/v1/workflow/tasks/" .. id .. "/approve",
      { ["Authorization"] = "Bearer " .. approver, ["Content-Type"] = "application/json" }, "{}")
  end
  return wrk.format("POST", "/api/v1/workflow/instances",
    { ["Authorization"] = "Bearer " .. applicant, ["Content-Type"] = "application/json" }, submit_body)
end

response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"tasks":%[{"id":(%d+)')
    if id then table.insert(queue, id) end
  end
end
