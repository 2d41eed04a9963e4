from ..forms.kinds import Field, FieldType, Kind

T = FieldType

SALESPEOPLE = Kind(
    name="salespeople",
    zh="业务员",
    en="Salespeople",
    version=1,
    header=(),
    table="salespeople",
    columns=(
        Field("code", "业务员编码", "Salesperson code", T.CODE, required=True,
              aliases=("编码", "工号")),
        Field("name", "姓名", "Name", T.TEXT, required=True, width=12),
        Field("region", "片区", "Region", T.TEXT, required=True, width=10, aliases=("区域",)),
        Field("manager", "片区经理", "Manager", T.TEXT, width=12),
        Field("email", "邮箱", "Email", T.TEXT, width=24),
        Field("mobile", "手机", "Mobile", T.TEXT, width=14, aliases=("手机号", "电话")),
        Field("wecom_userid", "企业微信账号", "WeCom user id", T.TEXT, width=16,
              aliases=("企业微信",)),
    ),
    line_key=("code",),
    master=True,
    priority=5,
    owner_field=None,
    instructions_zh=("按业务员编码新增或更新名单。",
                     "片区经理、助理等审批人和接收通知的人也列在这里：通知按邮箱、手机、企业微信账号发送。"),
    instructions_en=("Adds or updates the roster by salesperson code.",
                     "List the managers, assistants and everyone else who approves or is told here "
                     "too: messages go to their email, mobile and WeCom user id."),
)
