from ..forms.kinds import Choice, Field, FieldType, Kind, Ref
from ..rules.master import check_customers

T = FieldType

CUSTOMERS = Kind(
    name="customers",
    zh="客户档案",
    en="Customers",
    version=1,
    header=(),
    table="customers",
    columns=(
        Field("code", "客户编码", "Customer code", T.CODE, required=True, aliases=("编码",)),
        Field("name", "客户名称", "Customer name", T.TEXT, required=True, width=24,
              aliases=("名称",)),
        Field("region", "片区", "Region", T.TEXT, required=True, width=10, aliases=("区域",)),
        Field("salesperson", "负责业务员", "Salesperson", T.CODE, required=True,
              ref=Ref.SALESPERSON, aliases=("业务员",)),
        Field("tier", "客户等级", "Tier", T.ENUM, width=8,
              choices=(Choice("A", "A", "A"), Choice("B", "B", "B"), Choice("C", "C", "C"))),
        Field("credit_limit", "授信额度", "Credit limit", T.MONEY),
        Field("payment_days", "账期天数", "Payment days", T.INTEGER, width=10, aliases=("账期",)),
        Field("opening_balance", "期初余额", "Opening balance", T.MONEY),
        Field("opening_date", "期初日期", "Opening date", T.DATE, width=12),
        Field("contact", "联系人", "Contact", T.TEXT, width=10),
        Field("phone", "电话", "Phone", T.TEXT),
        Field("address", "地址", "Address", T.TEXT, width=30),
        Field("tax_id", "税号", "Tax ID", T.TEXT, width=22),
        Field("bank", "开户行", "Bank", T.TEXT, width=22),
        Field("bank_account", "银行账号", "Bank account", T.TEXT, width=22),
        Field("created", "建档日期", "Created", T.DATE, required=True, width=12),
    ),
    line_key=("code",),
    master=True,
    priority=20,
    owner_field=None,
    instructions_zh=(
        "按客户编码新增或更新客户档案；已存在的编码以本表为准。",
        "授信额度为空表示不限额；账期天数为空按 0 天计。",
        "期初余额是期初日期时的应收余额。",
    ),
    instructions_en=(
        "Adds or updates customers by code; this sheet wins for codes already on file.",
        "An empty credit limit means no limit; empty payment days mean 0.",
        "The opening balance is what the customer owed on the opening date.",
    ),
    check=check_customers,
)
