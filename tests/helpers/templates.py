"""Values for rendering the default templates: every variable, with text that needs escaping."""

from __future__ import annotations

from typing import Any

TRICKY = "A & B <C>"

SELLER = {
    "name": "华东机电设备有限公司", "address": "上海市闵行区莘庄工业区申富路 88 号",
    "tax_id": "91310112MA1G8XXXXX", "bank": "中国工商银行上海莘庄支行",
    "bank_account": "1001 2345 6789 0123 456", "representative": "王建国", "phone": "021-6488 0000",
}
CUSTOMER = {
    "code": "C0042", "name": TRICKY, "address": "杭州市余杭区文一西路 1 号", "contact": "李四",
    "phone": "0571-8888 1234", "tax_id": "91330110MA2XXXXXX", "bank": "招商银行杭州分行",
    "bank_account": "5719 0000 1111 222",
}
LINES = [
    {"no": 1, "product_code": "P-100", "product_name": "离心水泵", "spec": "IS50-32-125",
     "unit": "台", "quantity": "2", "unit_price": "3,200.00", "amount": "6,400.00",
     "tax_rate": "13%"},
    {"no": 2, "product_code": "P-205", "product_name": "不锈钢阀门", "spec": "DN50",
     "unit": "只", "quantity": "10", "unit_price": "450.00", "amount": "4,500.00",
     "tax_rate": "13%"},
    {"no": 3, "product_code": "S-001", "product_name": "安装调试服务", "spec": "—",
     "unit": "次", "quantity": "1", "unit_price": "1,445.67", "amount": "1,445.67",
     "tax_rate": "6%"},
]


def contract_context() -> dict[str, Any]:
    return {
        "seller": SELLER,
        "buyer": CUSTOMER,
        "order": {
            "no": "SO-2026-0117", "date": "2026年11月02日", "contract_no": "HT-2026-0117",
            "revision": 2, "salesperson_code": "S07", "salesperson_name": "张三",
            "delivery_address": "杭州市余杭区仓前街道 8 号仓库", "delivery_date": "2026年11月20日",
            "delivery_method": "送货", "vehicle_or_picker": "浙A·12345",
            "remarks": "请提前一天电话通知收货",
        },
        "lines": LINES,
        "tax_groups": [
            {"rate": "13%", "net": "9,646.02", "tax": "1,253.98", "total": "10,900.00"},
            {"rate": "6%", "net": "1,363.84", "tax": "81.83", "total": "1,445.67"},
        ],
        "totals": {"net": "11,009.86", "tax": "1,335.81", "total": "12,345.67",
                   "total_capitals": "壹万贰仟叁佰肆拾伍元陆角柒分"},
        "payment": {"days": 30, "terms": "货到后 30 天内付清全部货款。"},
        "generated_on": "2026年11月02日",
    }


def letter_context() -> dict[str, Any]:
    return {
        "seller": SELLER,
        "customer": CUSTOMER,
        "period": {"label": "2026年第3季度", "start": "2026年07月01日", "end": "2026年09月30日"},
        "balance": {"opening": "8,000.00", "debits": "12,345.67", "credits": "5,000.00",
                    "closing": "15,345.67", "closing_capitals": "壹万伍仟叁佰肆拾伍元陆角柒分",
                    "not_due": "12,345.67", "overdue": "3,000.00"},
        "reply_by": "2026年10月20日",
        "statement_no": "DZ-2026Q3-C0042",
        "generated_on": "2026年10月08日",
    }
