from ..forms.kinds import Field, FieldType, Kind
from ..rules.derive import derive_products
from ..rules.master import check_products

T = FieldType

PRODUCTS = Kind(
    name="products",
    zh="产品价格表",
    en="Price list",
    version=1,
    header=(),
    table="products",
    columns=(
        Field("code", "产品编码", "Product code", T.CODE, required=True, aliases=("编码",)),
        Field("name", "产品名称", "Product name", T.TEXT, required=True, width=24,
              aliases=("品名",)),
        Field("spec", "规格型号", "Spec", T.TEXT, aliases=("规格",)),
        Field("unit", "单位", "Unit", T.TEXT, required=True, width=8),
        Field("list_price", "价目表价", "List price", T.MONEY, required=True,
              aliases=("单价", "售价")),
        Field("floor_price", "最低限价", "Floor price", T.MONEY),
        Field("tax_rate", "税率", "Tax rate", T.RATE, width=8, hint_zh="默认 13%",
              hint_en="default 13%"),
    ),
    line_key=("code",),
    master=True,
    priority=10,
    owner_field=None,
    instructions_zh=(
        "按产品编码新增或更新价格；价格为含税价。",
        "最低限价以下的订单将被拒收；税率不填按 13% 计。",
    ),
    instructions_en=(
        "Adds or updates prices by product code; prices include tax.",
        "Orders below the floor price are refused; an empty tax rate means 13%.",
    ),
    derive=derive_products,
    check=check_products,
)
