//! The enterprise roster (附件3, DOMAIN.md §4): one row per resident enterprise, CBEC or not.
//!
//! Pure: a table of strings (from `spreadsheet::read_table`, or a one-row web form) becomes
//! validated [`RosterRow`]s; rows become the evaluate input's [`Enterprise`]s; two rosters give a
//! [`RosterDiff`]. Messages are Simplified Chinese, for the person who filled in the sheet.
//!
//! Choices made here:
//! - Headers are matched by text, in any order, ignoring whitespace, `*` markers and the width of
//!   parentheses; known variants are accepted (Zhongshan's 镇街 for 县（市、区）, 法定代表人,
//!   `2025年跨境电商进出口额（美元）`…). Unknown columns (备注…) are ignored; so is 序号.
//! - The header is the first row (among the first ten non-empty ones) with at least three known
//!   column titles, so a title row such as “园区跨境电商企业名录表” above it is fine.
//! - A row whose known cells are all empty is skipped (a pre-numbered 序号 alone is blank).
//! - Money and counts are integers: “1,000”, “500.00”, “500万元” are accepted; “50.5” is refused.
//!   注册资金 is in 万元; 进出口额 in the rule set's currency's main unit (美元 / 元); a header
//!   naming another unit (“注册资金（元）”, “进出口额（万美元）”) is refused.
//! - Full-width digits and letters (“２０１９”, “９１３３…”) are read as half-width.
//! - Every cell is required except 主营平台/服务类型; a non-CBEC enterprise is typed
//!   “非跨境电商” and its 进出口额 is 0.
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::domain::evaluate::{CbecType, Enterprise, Integer, RosterCode};
use crate::domain::ruleset::Currency;
use crate::domain::tabular::{self, Header, Layout, half_width, looks_scientific, parse_uscc};
pub use crate::domain::tabular::{MAX_ERRORS, RowError};

/// Header texts in order, as the template writes them. The 进出口额 title gets the reference
/// year and currency in the template (“2025年跨境电商进出口额（美元）”, see [`header_row`]);
/// the stem here is matched leniently on import.
pub const COLUMNS: [&str; 17] = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "县（市、区）",
    "企业法人",
    "成立年份",
    "注册资金（万元）",
    "主营业务及主要产品",
    "员工人数（人）",
    "上年跨境电商进出口额",
    "主营平台/服务类型",
    "跨境电商企业类型",
    "是否在综试区线上服务平台备案",
    "是否已开展业务",
    "注册地址是否在园区内",
    "联系人",
    "联系方式",
];

/// Labels of the enterprise types, as written on export and offered in the template's list.
pub const CBEC_TYPE_LABELS: [(CbecType, &str); 6] = [
    (CbecType::Operating, "经营型"),
    (CbecType::Platform, "平台型"),
    (CbecType::Payment, "支付型"),
    (CbecType::Logistics, "物流供应链型"),
    (CbecType::Other, "其他"),
    (CbecType::None, "非跨境电商"),
];

/// The display label of an enterprise type (“经营型”…).
pub fn cbec_type_label(t: CbecType) -> &'static str {
    CBEC_TYPE_LABELS
        .iter()
        .find(|(k, _)| *k == t)
        .map_or("", |(_, label)| label)
}

/// The name of a currency's main unit as written in headers: 美元, 元.
pub fn currency_label(currency: Currency) -> &'static str {
    match currency {
        Currency::Usd => "美元",
        Currency::Cny => "元",
    }
}

/// The header row as the template writes it. `year_label`: “2025年” or “上年”.
pub fn header_row(currency_label: &str, year_label: &str) -> Vec<String> {
    COLUMNS
        .iter()
        .enumerate()
        .map(|(i, title)| {
            if i == Column::ImportExport.index() {
                format!("{year_label}跨境电商进出口额（{currency_label}）")
            } else {
                (*title).to_string()
            }
        })
        .collect()
}

/// One enterprise of the roster, validated. Money is integer: `registered_capital` in 万元,
/// `import_export` in the rule set's currency's main unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    pub name: String,
    /// A valid code, upper case.
    pub uscc: String,
    /// 县（市、区） (Wenzhou) or 镇街 (Zhongshan), free text.
    pub county: String,
    pub legal_representative: String,
    pub founded_year: i32,
    /// 万元.
    pub registered_capital: u64,
    pub main_business: String,
    pub employees: u32,
    /// Last year's CBEC import/export, in the currency's main unit.
    pub import_export: u64,
    /// 主营平台/服务类型; may be empty.
    pub platform_type: String,
    pub cbec_type: CbecType,
    pub platform_registered: bool,
    pub active: bool,
    pub address_in_park: bool,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The columns of a row (all but 序号), in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Name,
    Uscc,
    County,
    LegalRepresentative,
    FoundedYear,
    RegisteredCapital,
    MainBusiness,
    Employees,
    ImportExport,
    PlatformType,
    CbecType,
    PlatformRegistered,
    Active,
    AddressInPark,
    ContactName,
    ContactPhone,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::Name,
        Column::Uscc,
        Column::County,
        Column::LegalRepresentative,
        Column::FoundedYear,
        Column::RegisteredCapital,
        Column::MainBusiness,
        Column::Employees,
        Column::ImportExport,
        Column::PlatformType,
        Column::CbecType,
        Column::PlatformRegistered,
        Column::Active,
        Column::AddressInPark,
        Column::ContactName,
        Column::ContactPhone,
    ];

    /// Position in [`COLUMNS`] (序号 is 0).
    pub fn index(self) -> usize {
        self as usize + 1
    }

    /// The snake_case field name, as in [`RosterRow`], [`RosterCells`] and the web form.
    pub fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Uscc => "uscc",
            Column::County => "county",
            Column::LegalRepresentative => "legal_representative",
            Column::FoundedYear => "founded_year",
            Column::RegisteredCapital => "registered_capital",
            Column::MainBusiness => "main_business",
            Column::Employees => "employees",
            Column::ImportExport => "import_export",
            Column::PlatformType => "platform_type",
            Column::CbecType => "cbec_type",
            Column::PlatformRegistered => "platform_registered",
            Column::Active => "active",
            Column::AddressInPark => "address_in_park",
            Column::ContactName => "contact_name",
            Column::ContactPhone => "contact_phone",
        }
    }

    /// The template's header text ([`COLUMNS`]).
    pub fn title(self) -> &'static str {
        COLUMNS[self.index()]
    }

    /// Short name used in messages (“请填写{label}”).
    fn label(self) -> &'static str {
        match self {
            Column::Name => "企业名称",
            Column::Uscc => "统一社会信用代码",
            Column::County => "县（市、区）",
            Column::LegalRepresentative => "企业法人",
            Column::FoundedYear => "成立年份",
            Column::RegisteredCapital => "注册资金",
            Column::MainBusiness => "主营业务及主要产品",
            Column::Employees => "员工人数",
            Column::ImportExport => "跨境电商进出口额",
            Column::PlatformType => "主营平台/服务类型",
            Column::CbecType => "跨境电商企业类型",
            Column::PlatformRegistered => "是否在综试区线上服务平台备案",
            Column::Active => "是否已开展业务",
            Column::AddressInPark => "注册地址是否在园区内",
            Column::ContactName => "联系人",
            Column::ContactPhone => "联系方式",
        }
    }

    /// Longest text accepted, in characters, for free-text columns.
    fn max_chars(self) -> usize {
        match self {
            Column::Name => 100,
            Column::MainBusiness => 500,
            Column::PlatformType => 200,
            _ => 50,
        }
    }

    /// Header texts (normalised, see `normalize_header`) that name this column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["企业名称", "公司名称", "名称", "企业全称", "单位名称"],
            Column::Uscc => &["统一社会信用代码", "社会信用代码", "信用代码", "USCC"],
            Column::County => &[
                "县（市、区）",
                "县（市，区）",
                "县（市区）",
                "县市区",
                "所在县（市、区）",
                "所属县（市、区）",
                "区县",
                "县区",
                "镇街",
                "所在镇街",
                "所属镇街",
                "镇（街）",
                "镇（街道）",
                "镇街道",
            ],
            Column::LegalRepresentative => &[
                "企业法人",
                "法人",
                "法定代表人",
                "法人代表",
                "企业法定代表人",
            ],
            Column::FoundedYear => &[
                "成立年份",
                "企业成立年份",
                "成立年度",
                "成立时间",
                "成立日期",
                "企业成立时间",
            ],
            Column::RegisteredCapital => &["注册资金", "企业注册资金", "注册资本", "企业注册资本"],
            Column::MainBusiness => &[
                "主营业务及主要产品",
                "主营业务及产品",
                "主营业务",
                "主要产品",
                "主营业务和主要产品",
            ],
            Column::Employees => &["员工人数", "员工数", "从业人数", "职工人数", "员工数量"],
            Column::ImportExport => &[
                "进出口额",
                "跨境电商进出口额",
                "跨境电子商务进出口额",
                "跨境电商进出口总额",
            ],
            Column::PlatformType => &[
                "主营平台/服务类型",
                "主营平台或服务类型",
                "主营平台/服务",
                "主营平台",
                "服务类型",
                "平台/服务类型",
            ],
            Column::CbecType => &["跨境电商企业类型", "企业类型", "跨境电商类型", "类型"],
            Column::PlatformRegistered => &["是否备案", "是否已备案", "备案情况"],
            Column::Active => &["是否已开展业务", "是否开展业务", "已开展业务"],
            Column::AddressInPark => &["注册地址是否在园区内", "注册地址是否在园区"],
            Column::ContactName => &["联系人", "联系人姓名"],
            Column::ContactPhone => &[
                "联系方式",
                "联系电话",
                "电话",
                "手机",
                "手机号码",
                "联系人电话",
            ],
        }
    }
}

/// What validation needs besides the cells.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterContext {
    /// The latest acceptable 成立年份 (the year of the upload).
    pub current_year: i32,
    /// The rule set's currency (CNY for a rule set without one): the unit of 进出口额.
    pub currency: Currency,
    /// The call's reference year: a header naming another year (`2023年跨境电商进出口额`) is
    /// refused. `None`: any year.
    pub reference_year: Option<i32>,
}

impl RosterContext {
    pub fn new(currency: Currency, current_year: i32) -> RosterContext {
        RosterContext {
            current_year,
            currency,
            reference_year: None,
        }
    }

    pub fn currency_label(&self) -> &'static str {
        currency_label(self.currency)
    }
}

/// A row as typed: one string per column, keyed like [`RosterRow`]. The web's one-row form
/// posts these keys (a missing key is an empty cell).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RosterCells {
    pub name: String,
    pub uscc: String,
    pub county: String,
    pub legal_representative: String,
    pub founded_year: String,
    pub registered_capital: String,
    pub main_business: String,
    pub employees: String,
    pub import_export: String,
    pub platform_type: String,
    pub cbec_type: String,
    pub platform_registered: String,
    pub active: String,
    pub address_in_park: String,
    pub contact_name: String,
    pub contact_phone: String,
}

impl RosterCells {
    pub fn get(&self, column: Column) -> &str {
        match column {
            Column::Name => &self.name,
            Column::Uscc => &self.uscc,
            Column::County => &self.county,
            Column::LegalRepresentative => &self.legal_representative,
            Column::FoundedYear => &self.founded_year,
            Column::RegisteredCapital => &self.registered_capital,
            Column::MainBusiness => &self.main_business,
            Column::Employees => &self.employees,
            Column::ImportExport => &self.import_export,
            Column::PlatformType => &self.platform_type,
            Column::CbecType => &self.cbec_type,
            Column::PlatformRegistered => &self.platform_registered,
            Column::Active => &self.active,
            Column::AddressInPark => &self.address_in_park,
            Column::ContactName => &self.contact_name,
            Column::ContactPhone => &self.contact_phone,
        }
    }

    pub fn set(&mut self, column: Column, value: impl Into<String>) {
        let slot = match column {
            Column::Name => &mut self.name,
            Column::Uscc => &mut self.uscc,
            Column::County => &mut self.county,
            Column::LegalRepresentative => &mut self.legal_representative,
            Column::FoundedYear => &mut self.founded_year,
            Column::RegisteredCapital => &mut self.registered_capital,
            Column::MainBusiness => &mut self.main_business,
            Column::Employees => &mut self.employees,
            Column::ImportExport => &mut self.import_export,
            Column::PlatformType => &mut self.platform_type,
            Column::CbecType => &mut self.cbec_type,
            Column::PlatformRegistered => &mut self.platform_registered,
            Column::Active => &mut self.active,
            Column::AddressInPark => &mut self.address_in_park,
            Column::ContactName => &mut self.contact_name,
            Column::ContactPhone => &mut self.contact_phone,
        };
        *slot = value.into();
    }

    /// The cells of a saved row, to pre-fill the edit form; they validate back to `row`.
    pub fn from_row(row: &RosterRow) -> RosterCells {
        let mut cells = RosterCells::default();
        for column in Column::ALL {
            cells.set(column, row.cell(column));
        }
        cells
    }
}

/// A problem with one cell of the one-row form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub column: Column,
    pub reason: String,
}

/// Field errors by snake_case key, for showing each message next to its input.
pub fn errors_by_key(errors: &[FieldError]) -> BTreeMap<&'static str, String> {
    errors
        .iter()
        .map(|e| (e.column.key(), e.reason.clone()))
        .collect()
}

impl RosterRow {
    /// The display string of a column: 是/否 for booleans, Chinese labels for the type,
    /// plain integers for numbers (no unit). [`validate_row`] reads it back unchanged.
    pub fn cell(&self, column: Column) -> String {
        let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
        match column {
            Column::Name => self.name.clone(),
            Column::Uscc => self.uscc.clone(),
            Column::County => self.county.clone(),
            Column::LegalRepresentative => self.legal_representative.clone(),
            Column::FoundedYear => self.founded_year.to_string(),
            Column::RegisteredCapital => self.registered_capital.to_string(),
            Column::MainBusiness => self.main_business.clone(),
            Column::Employees => self.employees.to_string(),
            Column::ImportExport => self.import_export.to_string(),
            Column::PlatformType => self.platform_type.clone(),
            Column::CbecType => cbec_type_label(self.cbec_type).to_string(),
            Column::PlatformRegistered => yes_no(self.platform_registered),
            Column::Active => yes_no(self.active),
            Column::AddressInPark => yes_no(self.address_in_park),
            Column::ContactName => self.contact_name.clone(),
            Column::ContactPhone => self.contact_phone.clone(),
        }
    }

    /// The evaluate input's view of this enterprise (DOMAIN.md §7).
    pub fn to_enterprise(&self) -> Enterprise {
        Enterprise {
            name: Some(self.name.clone()),
            uscc: Some(RosterCode::new(self.uscc.clone())),
            cbec_type: Some(self.cbec_type),
            platform_registered: Some(self.platform_registered),
            active: Some(self.active),
            address_in_park: Some(self.address_in_park),
            import_export: Some(Integer(self.import_export)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One row

/// Validates one row of cells; on failure every bad cell has an error, in column order.
pub fn validate_row(
    cells: &RosterCells,
    ctx: &RosterContext,
) -> Result<RosterRow, Vec<FieldError>> {
    let mut v = Validator {
        cells,
        errors: Vec::new(),
    };
    let currency = ctx.currency_label();
    // Fields are evaluated in order, so errors come in column order.
    let row = RosterRow {
        name: v.text(Column::Name),
        uscc: v.field(Column::Uscc, parse_uscc).unwrap_or_default(),
        county: v.text(Column::County),
        legal_representative: v.text(Column::LegalRepresentative),
        founded_year: v
            .field(Column::FoundedYear, |s| parse_year(s, ctx.current_year))
            .unwrap_or_default(),
        registered_capital: v
            .field(Column::RegisteredCapital, |s| {
                parse_amount(s, Column::RegisteredCapital, "万元", &["万元", "万"])
            })
            .unwrap_or_default(),
        main_business: v.text(Column::MainBusiness),
        employees: v
            .field(Column::Employees, |s| {
                let n = parse_amount(s, Column::Employees, "人", &["人", "名"])?;
                u32::try_from(n).map_err(|_| format!("员工人数过大（当前为“{}”）", s.trim()))
            })
            .unwrap_or_default(),
        import_export: v
            .field(Column::ImportExport, |s| {
                parse_amount(s, Column::ImportExport, currency, &[currency])
            })
            .unwrap_or_default(),
        platform_type: v.text(Column::PlatformType),
        cbec_type: v
            .field(Column::CbecType, parse_cbec_type)
            .unwrap_or(CbecType::None),
        platform_registered: v
            .field(Column::PlatformRegistered, parse_bool)
            .unwrap_or_default(),
        active: v.field(Column::Active, parse_bool).unwrap_or_default(),
        address_in_park: v
            .field(Column::AddressInPark, parse_bool)
            .unwrap_or_default(),
        contact_name: v.text(Column::ContactName),
        contact_phone: v
            .field(Column::ContactPhone, parse_phone)
            .unwrap_or_default(),
    };
    if v.errors.is_empty() {
        Ok(row)
    } else {
        Err(v.errors)
    }
}

struct Validator<'a> {
    cells: &'a RosterCells,
    errors: Vec<FieldError>,
}

impl Validator<'_> {
    fn field<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        parse(self.cells.get(column))
            .map_err(|reason| self.errors.push(FieldError { column, reason }))
            .ok()
    }

    /// Free text, trimmed; required except 主营平台/服务类型.
    fn text(&mut self, column: Column) -> String {
        self.field(column, |s| text(s, column, column != Column::PlatformType))
            .unwrap_or_default()
    }
}

fn text(raw: &str, column: Column, required: bool) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return if required {
            Err(format!("请填写{}", column.label()))
        } else {
            Ok(String::new())
        };
    }
    let max = column.max_chars();
    if value.chars().count() > max {
        return Err(format!("{}过长（最多{max}个字）", column.label()));
    }
    Ok(value.to_string())
}

fn parse_year(raw: &str, current_year: i32) -> Result<i32, String> {
    let value = half_width(raw.trim());
    if value.is_empty() {
        return Err("请填写成立年份".into());
    }
    // “2019”, “2019年”, or a date whose first part is the year (“2019-05-01”, “2019年5月”).
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &value[digits..];
    let year_like = digits == 4
        && (rest.is_empty()
            || rest == "年"
            || rest.starts_with(['-', '/', '.'])
            || (rest.starts_with('年') && rest.len() > "年".len()));
    if !year_like {
        return Err(format!(
            "成立年份应为4位数字年份，如 2019（当前为“{}”）",
            raw.trim()
        ));
    }
    let year: i32 = value[..4].parse().map_err(|_| "成立年份无效".to_string())?;
    if !(1900..=current_year).contains(&year) {
        return Err(format!(
            "成立年份应在1900年至{current_year}年之间（当前为{year}）"
        ));
    }
    Ok(year)
}

/// The largest amount accepted: 15 digits, exact in an XLSX number cell.
pub const MAX_AMOUNT: u64 = 999_999_999_999_999;

/// A non-negative integer: digits with optional thousands separators (“1,000”), an optional
/// zero fraction (“500.00”) and an optional unit suffix from `units`.
fn parse_amount(raw: &str, column: Column, unit: &str, units: &[&str]) -> Result<u64, String> {
    let label = column.label();
    let original = raw.trim();
    let mut value = half_width(original);
    if value.is_empty() {
        return Err(if column == Column::ImportExport {
            format!("请填写{label}（单位：{unit}；没有则填0）")
        } else {
            format!("请填写{label}")
        });
    }
    if looks_scientific(&value) {
        return Err(format!(
            "{label}不能使用科学计数法（当前为“{original}”），请填写完整的数字"
        ));
    }
    if let Some(stripped) = units.iter().find_map(|u| value.strip_suffix(u)) {
        value = stripped.trim_end().to_string();
    }
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, value.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let grouped_ok = match int.split_once(',') {
        None => !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()),
        Some((head, _)) => {
            let mut groups = int.split(',');
            (1..=3).contains(&head.len())
                && groups
                    .next()
                    .is_some_and(|g| g.bytes().all(|b| b.is_ascii_digit()))
                && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        }
    };
    if !grouped_ok || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{label}应为整数，单位：{unit}（当前为“{original}”）"
        ));
    }
    if negative {
        return Err(format!("{label}不能为负数（当前为“{original}”）"));
    }
    if frac.bytes().any(|b| b != b'0') {
        return Err(format!(
            "{label}应为整数（单位：{unit}），不能带小数（当前为“{original}”）"
        ));
    }
    int.replace(',', "")
        .parse::<u64>()
        .ok()
        .filter(|&n| n <= MAX_AMOUNT)
        .ok_or_else(|| format!("{label}数值过大（当前为“{original}”）"))
}

fn parse_cbec_type(raw: &str) -> Result<CbecType, String> {
    let original = raw.trim();
    if original.is_empty() {
        return Err("请填写跨境电商企业类型（非跨境电商企业填“非跨境电商”）".into());
    }
    let norm: String = half_width(original)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let norm = norm.strip_suffix("企业").unwrap_or(&norm);
    let norm = norm.strip_suffix(['型', '类']).unwrap_or(norm);
    Ok(match norm {
        "经营" | "交易" | "operating" => CbecType::Operating,
        "平台" | "platform" => CbecType::Platform,
        "支付" | "payment" => CbecType::Payment,
        "物流" | "物流供应链" | "供应链" | "物流/供应链" | "logistics" => {
            CbecType::Logistics
        }
        "服务" | "其他" | "其它" | "服务/其他" | "other" => CbecType::Other,
        "非跨境电商" | "非跨境电子商务" | "无" | "否" | "非" | "none" => {
            CbecType::None
        }
        _ => {
            let labels: Vec<&str> = CBEC_TYPE_LABELS.iter().map(|(_, l)| *l).collect();
            return Err(format!(
                "无法识别的企业类型“{original}”，应为：{}",
                labels.join("、")
            ));
        }
    })
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    let original = raw.trim();
    match half_width(original).to_uppercase().as_str() {
        "是" | "Y" | "YES" | "TRUE" | "√" | "1" => Ok(true),
        "否" | "N" | "NO" | "FALSE" | "×" | "0" => Ok(false),
        "" => Err("请填写“是”或“否”".into()),
        _ => Err(format!("应填写“是”或“否”（当前为“{original}”）")),
    }
}

fn parse_phone(raw: &str) -> Result<String, String> {
    let value = half_width(raw.trim());
    if value.is_empty() {
        return Err("请填写联系方式".into());
    }
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
    let len = value.chars().count();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(7..=20).contains(&len) || digits < 7 {
        return Err(format!(
            "联系方式应为一个电话号码：7–20位，只含数字、空格、+、- 和括号（当前为“{}”）",
            raw.trim()
        ));
    }
    Ok(value)
}

// ---------------------------------------------------------------------------------------------
// A table

/// Header text as compared: no whitespace or required-markers, full-width parentheses,
/// half-width letters and digits, upper case.
fn normalize_header(raw: &str) -> String {
    let mut out: String = half_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '★'))
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ':' => '：',
            _ => c.to_ascii_uppercase(),
        })
        .collect();
    while out.ends_with('：') {
        out.pop();
    }
    out
}

struct HeaderMatch {
    column: Column,
    /// The trailing parenthesised part (“万元”, “美元”), when the column has a unit.
    unit: Option<String>,
    /// The year in a 进出口额 title (“2025年跨境电商进出口额”).
    year: Option<i32>,
}

fn classify_header(raw: &str) -> Option<HeaderMatch> {
    let norm = normalize_header(raw);
    if norm.is_empty() {
        return None;
    }
    let plain = |column| HeaderMatch {
        column,
        unit: None,
        year: None,
    };
    if let Some(&column) = Column::ALL
        .iter()
        .find(|c| c.aliases().contains(&norm.as_str()))
    {
        return Some(plain(column));
    }
    let (base, unit) = match norm.strip_suffix('）').and_then(|s| s.rsplit_once('（')) {
        Some((base, unit)) => (base, Some(unit.to_string())),
        None => (norm.as_str(), None),
    };
    if let Some(&column) = Column::ALL.iter().find(|c| c.aliases().contains(&base)) {
        return Some(HeaderMatch {
            column,
            unit,
            year: None,
        });
    }
    // “上年跨境电商进出口额”, “2025年跨境电商进出口额”, “2025年度…”.
    let digits = base.bytes().take_while(u8::is_ascii_digit).count();
    let (year, stem) = if digits == 4 && base[4..].starts_with('年') {
        let stem = &base[4 + '年'.len_utf8()..];
        (
            base[..4].parse().ok(),
            stem.strip_prefix('度').unwrap_or(stem),
        )
    } else {
        let stem = ["上年度", "上年", "去年"]
            .iter()
            .find_map(|p| base.strip_prefix(p))
            .unwrap_or(base);
        (None, stem)
    };
    if (year.is_some() || stem != base) && Column::ImportExport.aliases().contains(&stem) {
        return Some(HeaderMatch {
            column: Column::ImportExport,
            unit,
            year,
        });
    }
    let column = if base.contains("备案") && !base.contains("地址") {
        Column::PlatformRegistered
    } else if base.contains("开展") && base.contains("业务") {
        Column::Active
    } else if base.contains("园区") && base.contains("注册地") {
        Column::AddressInPark
    } else {
        return None;
    };
    Some(plain(column))
}

fn currency_unit_matches(unit: &str, currency: Currency) -> bool {
    let unit = unit.to_ascii_uppercase();
    match currency {
        Currency::Usd => matches!(unit.as_str(), "美元" | "USD" | "美金" | "US$" | "$"),
        Currency::Cny => matches!(
            unit.as_str(),
            "元" | "人民币" | "人民币元" | "元人民币" | "CNY" | "RMB" | "¥" | "￥"
        ),
    }
}

/// Why a header's unit or year cannot be accepted, if so.
fn header_problem(m: &HeaderMatch, raw: &str, ctx: &RosterContext) -> Option<String> {
    let raw = raw.trim();
    match m.column {
        Column::RegisteredCapital => {
            let unit = m.unit.as_deref()?;
            (!matches!(unit, "万元" | "万" | "万元人民币" | "人民币万元" | "万人民币")).then(|| {
                format!("注册资金须以万元为单位填写（表头为“{raw}”），请将表头改为“注册资金（万元）”并按万元填写")
            })
        }
        Column::ImportExport => {
            let label = ctx.currency_label();
            if let Some(unit) = m.unit.as_deref()
                && !currency_unit_matches(unit, ctx.currency)
            {
                return Some(format!(
                    "进出口额须以{label}为单位填写（表头为“{raw}”），请按{label}填写整数"
                ));
            }
            match (m.year, ctx.reference_year) {
                (Some(year), Some(reference)) if year != reference => {
                    Some(format!("进出口额应为{reference}年的数据（表头为“{raw}”）"))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The roster's header: known titles, any order; each column once; every column present.
fn layout(rows: &[Vec<String>], ctx: &RosterContext) -> Result<Layout<Column>, Vec<RowError>> {
    let required: Vec<(Column, &'static str)> =
        Column::ALL.iter().map(|&c| (c, c.title())).collect();
    let header = Header {
        classify: &classify_header,
        column: &|m: &HeaderMatch| m.column,
        problem: &|m: &HeaderMatch, raw: &str| header_problem(m, raw, ctx),
        required: &required,
        expected: "附件3的列标题（企业名称、统一社会信用代码……）",
    };
    tabular::layout(rows, &header)
}

/// Parses an uploaded table (rows of cells as strings, row 0 = spreadsheet row 1): all rows
/// valid, or every error found (at most [`MAX_ERRORS`] and a count of the rest).
pub fn parse_table(
    rows: &[Vec<String>],
    ctx: &RosterContext,
) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let layout = layout(rows, ctx)?;
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut data_rows = 0usize;
    for (row_number, cells_in) in layout.data_rows(rows) {
        let mut cells = RosterCells::default();
        for &column in layout.columns.keys() {
            cells.set(column, layout.cell(cells_in, column));
        }
        data_rows += 1;
        let header_text = |column: Column| layout.header_text(column, column.title());
        let uscc = match validate_row(&cells, ctx) {
            Ok(row) => {
                let uscc = row.uscc.clone();
                parsed.push(row);
                Some(uscc)
            }
            Err(field_errors) => {
                let uscc_ok = field_errors.iter().all(|e| e.column != Column::Uscc);
                errors.extend(field_errors.into_iter().map(|e| RowError {
                    row: row_number,
                    column: header_text(e.column),
                    reason: e.reason,
                }));
                uscc_ok.then(|| parse_uscc(&cells.uscc).ok()).flatten()
            }
        };
        if let Some(uscc) = uscc {
            if let Some(first) = seen.get(&uscc) {
                errors.push(RowError {
                    row: row_number,
                    column: header_text(Column::Uscc),
                    reason: format!("统一社会信用代码与第{first}行重复"),
                });
            } else {
                seen.insert(uscc, row_number);
            }
        }
    }
    let no_data = "表中没有企业数据：请在表头下方逐行填写入驻企业";
    tabular::outcome(parsed, errors, data_rows, layout.row, no_data)
}

// ---------------------------------------------------------------------------------------------
// Diff

/// What changed between two rosters, rows matched by USCC.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RosterDiff {
    /// In the new roster only, in its order.
    pub added: Vec<RosterRow>,
    /// In the old roster only, in its order.
    pub removed: Vec<RosterRow>,
    /// In both with different values, in the new roster's order.
    pub changed: Vec<RowChange>,
    pub unchanged: usize,
}

impl RosterDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowChange {
    pub uscc: String,
    /// The new name.
    pub name: String,
    pub cells: Vec<CellChange>,
}

/// One column's display strings ([`RosterRow::cell`]) before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellChange {
    pub column: Column,
    pub old: String,
    pub new: String,
}

/// Compares two rosters by USCC (the first row of a code counts if one appears twice).
pub fn diff(old: &[RosterRow], new: &[RosterRow]) -> RosterDiff {
    let index = |rows: &[RosterRow]| {
        let mut map: HashMap<String, usize> = HashMap::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            map.entry(row.uscc.to_ascii_uppercase()).or_insert(i);
        }
        map
    };
    let old_index = index(old);
    let new_index = index(new);
    let mut result = RosterDiff::default();
    for (i, row) in new.iter().enumerate() {
        let key = row.uscc.to_ascii_uppercase();
        if new_index.get(&key) != Some(&i) {
            continue;
        }
        let Some(&j) = old_index.get(&key) else {
            result.added.push(row.clone());
            continue;
        };
        let before = &old[j];
        let cells: Vec<CellChange> = Column::ALL
            .iter()
            .filter_map(|&column| {
                let (a, b) = (before.cell(column), row.cell(column));
                (a != b).then_some(CellChange {
                    column,
                    old: a,
                    new: b,
                })
            })
            .collect();
        if cells.is_empty() {
            result.unchanged += 1;
        } else {
            result.changed.push(RowChange {
                uscc: row.uscc.clone(),
                name: row.name.clone(),
                cells,
            });
        }
    }
    for (i, row) in old.iter().enumerate() {
        let key = row.uscc.to_ascii_uppercase();
        if old_index.get(&key) == Some(&i) && !new_index.contains_key(&key) {
            result.removed.push(row.clone());
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::uscc::Uscc;

    fn ctx() -> RosterContext {
        RosterContext::new(Currency::Usd, 2026)
    }

    fn code(first17: &str) -> String {
        Uscc::with_check_char(first17).unwrap().to_string()
    }

    fn header() -> Vec<String> {
        header_row("美元", "2025年")
    }

    /// A valid data row in template order (序号 first).
    fn good(n: usize, uscc: &str) -> Vec<String> {
        [
            &n.to_string(),
            "温州市瓯越跨境贸易有限公司",
            uscc,
            "鹿城区",
            "陈立新",
            "2019",
            "500",
            "鞋服出口",
            "35",
            "1200000",
            "亚马逊",
            "经营型",
            "是",
            "是",
            "是",
            "林晓",
            "0577-88001234",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn table(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
        let mut all = vec![header()];
        all.extend(rows);
        all
    }

    fn errors(rows: Vec<Vec<String>>) -> Vec<RowError> {
        parse_table(&table(rows), &ctx()).unwrap_err()
    }

    fn with(mut row: Vec<String>, column: Column, value: &str) -> Vec<String> {
        row[column.index()] = value.to_string();
        row
    }

    const A: &str = "91330302MA2H3K7L5";
    const B: &str = "91330381MA2J8R4Q2";

    #[test]
    fn parses_good_rows() {
        let rows = parse_table(&table(vec![good(1, &code(A)), good(2, &code(B))]), &ctx()).unwrap();
        assert_eq!(rows.len(), 2);
        let r = &rows[0];
        assert_eq!(r.uscc, code(A));
        assert_eq!(r.name, "温州市瓯越跨境贸易有限公司");
        assert_eq!(r.founded_year, 2019);
        assert_eq!(r.registered_capital, 500);
        assert_eq!(r.employees, 35);
        assert_eq!(r.import_export, 1_200_000);
        assert_eq!(r.cbec_type, CbecType::Operating);
        assert!(r.platform_registered && r.active && r.address_in_park);
        assert_eq!(r.contact_phone, "0577-88001234");
    }

    #[test]
    fn lenient_values_are_normalised() {
        let row = good(1, &format!("  {}\t", code(A).to_lowercase()));
        let row = with(row, Column::RegisteredCapital, "1,000.00万元");
        let row = with(row, Column::Employees, "１２０");
        let row = with(row, Column::ImportExport, "2,500,000 美元");
        let row = with(row, Column::FoundedYear, "2019-05-01");
        let row = with(row, Column::CbecType, "交易型企业");
        let row = with(row, Column::Active, " 否 ");
        let row = with(row, Column::ContactPhone, "＋86 (577) 8800-1234");
        let rows = parse_table(&table(vec![row]), &ctx()).unwrap();
        let r = &rows[0];
        assert_eq!(r.uscc, code(A));
        assert_eq!(r.registered_capital, 1000);
        assert_eq!(r.employees, 120);
        assert_eq!(r.import_export, 2_500_000);
        assert_eq!(r.founded_year, 2019);
        assert_eq!(r.cbec_type, CbecType::Operating);
        assert!(!r.active);
        assert_eq!(r.contact_phone, "+86 (577) 8800-1234");
    }

    #[test]
    fn cbec_type_words() {
        let cases = [
            ("经营", CbecType::Operating),
            ("经营型", CbecType::Operating),
            ("交易型", CbecType::Operating),
            ("平台", CbecType::Platform),
            ("平台型", CbecType::Platform),
            ("支付", CbecType::Payment),
            ("物流", CbecType::Logistics),
            ("物流供应链", CbecType::Logistics),
            ("服务型", CbecType::Other),
            ("其他", CbecType::Other),
            ("非跨境电商", CbecType::None),
            ("无", CbecType::None),
            ("否", CbecType::None),
        ];
        for (word, expected) in cases {
            assert_eq!(parse_cbec_type(word), Ok(expected), "{word}");
        }
        for (t, label) in CBEC_TYPE_LABELS {
            assert_eq!(parse_cbec_type(label), Ok(t), "{label}");
        }
        let err = parse_cbec_type("贸易型").unwrap_err();
        assert!(err.contains("无法识别的企业类型“贸易型”"), "{err}");
    }

    #[test]
    fn each_kind_of_bad_cell() {
        let a = code(A);
        let mut bad_check = a[..17].to_string();
        bad_check.push(if a.ends_with('0') { '1' } else { '0' });
        let cases: Vec<(Column, &str, &str)> = vec![
            (Column::Name, "", "请填写企业名称"),
            (Column::Uscc, &bad_check, "校验位不正确"),
            (Column::Uscc, "9.13303E+17", "文本"),
            (Column::Uscc, "12345", "应为18位"),
            (Column::County, " ", "请填写县（市、区）"),
            (Column::FoundedYear, "二〇一九", "4位数字年份"),
            (Column::FoundedYear, "1899", "1900年至2026年"),
            (Column::FoundedYear, "2027", "1900年至2026年"),
            (Column::RegisteredCapital, "50.5", "不能带小数"),
            (Column::RegisteredCapital, "500万美元", "应为整数"),
            (Column::RegisteredCapital, "1,00", "应为整数"),
            (Column::Employees, "-3", "不能为负数"),
            (Column::Employees, "5000000000", "过大"),
            (Column::Employees, "三十", "应为整数"),
            (Column::ImportExport, "", "没有则填0"),
            (Column::ImportExport, "1.2E+07", "科学计数法"),
            (Column::ImportExport, "100.25", "不能带小数"),
            (Column::ImportExport, "99999999999999999999", "过大"),
            (Column::CbecType, "贸易型", "无法识别"),
            (Column::CbecType, "", "非跨境电商"),
            (Column::PlatformRegistered, "已备案", "“是”或“否”"),
            (Column::Active, "", "请填写“是”或“否”"),
            (Column::ContactPhone, "12345", "7–20位"),
            (Column::ContactPhone, "0577-8800 转 12", "7–20位"),
            (Column::ContactName, "", "请填写联系人"),
        ];
        for (column, value, expected) in cases {
            let errs = errors(vec![with(good(1, &a), column, value)]);
            assert_eq!(errs.len(), 1, "{column:?} {value}: {errs:?}");
            assert_eq!(errs[0].row, 2);
            assert_eq!(errs[0].column, header()[column.index()], "{column:?}");
            assert!(
                errs[0].reason.contains(expected),
                "{column:?} {value}: {}",
                errs[0]
            );
        }
        // Platform type may be empty.
        let row = with(good(1, &a), Column::PlatformType, "");
        assert_eq!(
            parse_table(&table(vec![row]), &ctx()).unwrap()[0].platform_type,
            ""
        );
    }

    #[test]
    fn collects_all_errors_and_formats_them() {
        let row = with(good(1, "bad"), Column::Employees, "-1");
        let errs = errors(vec![good(1, &code(A)), row]);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].row, 3);
        assert_eq!(
            errs[0].to_string(),
            "第3行，统一社会信用代码：统一社会信用代码应为18位（当前为3位）"
        );
        assert!(errs[1].to_string().starts_with("第3行，员工人数（人）："));
    }

    #[test]
    fn header_in_other_order_with_variants_and_extra_columns() {
        let a = code(A);
        let order: Vec<usize> = (0..17).rev().collect();
        let mut head: Vec<String> = order.iter().map(|&i| header()[i].clone()).collect();
        // Variants: spaces, half-width parentheses, Zhongshan wording, a marker, a line break.
        for h in head.iter_mut() {
            *h = match h.as_str() {
                "县（市、区）" => "镇街".into(),
                "企业法人" => "法定代表人".into(),
                "员工人数（人）" => "员工人数(人)".into(),
                "是否在综试区线上服务平台备案" => {
                    "是否在温州综试区线上服务平台备案".into()
                }
                "统一社会信用代码" => "*统一社会\n信用代码".into(),
                "2025年跨境电商进出口额（美元）" => {
                    " 上年跨境电商进出口额 (美元) ".into()
                }
                other => other.to_string(),
            };
        }
        head.push("备注".into());
        let mut row: Vec<String> = order.iter().map(|&i| good(1, &a)[i].clone()).collect();
        row.push("随便写".into());
        let rows = parse_table(&[head, row], &ctx()).unwrap();
        assert_eq!(rows[0].uscc, a);
        assert_eq!(rows[0].county, "鹿城区");
        assert_eq!(rows[0].import_export, 1_200_000);
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let mut all = vec![
            vec!["附件3".to_string()],
            vec!["园区跨境电商企业名录表".into()],
            vec![],
        ];
        all.extend(table(vec![good(1, &code(A))]));
        let rows = parse_table(&all, &ctx()).unwrap();
        assert_eq!(rows.len(), 1);
        // Errors then count from the real spreadsheet row.
        all.push(with(good(2, &code(B)), Column::Active, "x"));
        let errs = parse_table(&all, &ctx()).unwrap_err();
        assert_eq!(errs[0].row, 6);
    }

    #[test]
    fn missing_and_duplicate_columns() {
        let mut head = header();
        head.remove(Column::Uscc.index());
        head.push("法人".into());
        let errs = parse_table(&[head, good(1, &code(A))], &ctx()).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].to_string(), "第1行，法人：与第4列“企业法人”重复");
        assert_eq!(
            errs[1].to_string(),
            "第1行，统一社会信用代码：表头中缺少此列"
        );
    }

    #[test]
    fn no_header_no_content_no_data() {
        let garbage = vec![vec!["a".to_string(), "b".into()], vec!["1".into()]];
        let errs = parse_table(&garbage, &ctx()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].reason.contains("未找到表头"), "{}", errs[0]);
        let errs = parse_table(&[vec![" ".to_string()]], &ctx()).unwrap_err();
        assert!(errs[0].reason.contains("没有内容"));
        let errs = parse_table(&[header()], &ctx()).unwrap_err();
        assert!(errs[0].reason.contains("没有企业数据"));
    }

    #[test]
    fn header_units_and_year_are_checked() {
        let mut head = header();
        head[Column::RegisteredCapital.index()] = "注册资金（元）".into();
        head[Column::ImportExport.index()] = "2024年跨境电商进出口额（万美元）".into();
        let mut ctx = ctx();
        ctx.reference_year = Some(2025);
        let errs = parse_table(&[head.clone(), good(1, &code(A))], &ctx).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].reason.contains("万元为单位"));
        assert!(errs[1].reason.contains("以美元为单位"));
        head[Column::RegisteredCapital.index()] = "企业注册资金".into();
        head[Column::ImportExport.index()] = "2024年跨境电商进出口额（USD）".into();
        let errs = parse_table(&[head.clone(), good(1, &code(A))], &ctx).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].reason.contains("应为2025年的数据"));
        ctx.reference_year = None;
        assert!(parse_table(&[head.clone(), good(1, &code(A))], &ctx).is_ok());
        // Zhongshan: RMB.
        let zs = RosterContext::new(Currency::Cny, 2026);
        assert!(parse_table(&[head, good(1, &code(A))], &zs).is_err());
        assert!(parse_table(&[header_row("元", "上年"), good(1, &code(A))], &zs).is_ok());
    }

    #[test]
    fn blank_and_numbered_only_rows_are_skipped() {
        let numbered: Vec<String> = vec!["7".into(), " ".into(), String::new()];
        let rows = table(vec![
            vec![],
            good(1, &code(A)),
            vec![String::new(); 17],
            numbered,
            good(2, &code(B)),
        ]);
        assert_eq!(parse_table(&rows, &ctx()).unwrap().len(), 2);
    }

    #[test]
    fn duplicate_uscc_is_flagged_on_the_second_occurrence() {
        let a = code(A);
        let errs = errors(vec![
            good(1, &a),
            good(2, &code(B)),
            good(3, &a.to_lowercase()),
            with(good(4, &a), Column::Employees, "x"),
        ]);
        let dup: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            dup,
            [
                "第4行，统一社会信用代码：统一社会信用代码与第2行重复",
                "第5行，员工人数（人）：员工人数应为整数，单位：人（当前为“x”）",
                "第5行，统一社会信用代码：统一社会信用代码与第2行重复",
            ]
        );
    }

    #[test]
    fn error_list_is_capped() {
        let rows: Vec<Vec<String>> = (0..300).map(|i| good(i, "bad")).collect();
        let errs = errors(rows);
        assert_eq!(errs.len(), MAX_ERRORS + 1);
        assert_eq!(errs[MAX_ERRORS].to_string(), "…另有 100 处错误");
    }

    #[test]
    fn form_errors_are_keyed_by_field() {
        let cells = RosterCells {
            name: "某公司".into(),
            founded_year: "二〇一九".into(),
            ..RosterCells::default()
        };
        let errs = validate_row(&cells, &ctx()).unwrap_err();
        let by_key = errors_by_key(&errs);
        assert!(!by_key.contains_key("name"));
        assert!(!by_key.contains_key("platform_type"));
        assert!(by_key["founded_year"].contains("4位数字年份"));
        assert_eq!(by_key["uscc"], "请填写统一社会信用代码");
        assert_eq!(by_key.len(), 14, "{by_key:?}");
        // The form posts the same keys as strings.
        let posted: RosterCells =
            serde_json::from_str(r#"{"name":"某公司","founded_year":"2019"}"#).unwrap();
        assert_eq!(posted.founded_year, "2019");
    }

    #[test]
    fn cells_round_trip_and_enterprise() {
        let row = parse_table(&table(vec![good(1, &code(A))]), &ctx())
            .unwrap()
            .remove(0);
        let cells = RosterCells::from_row(&row);
        assert_eq!(cells.cbec_type, "经营型");
        assert_eq!(cells.active, "是");
        assert_eq!(validate_row(&cells, &ctx()).unwrap(), row);
        let e = row.to_enterprise();
        assert_eq!(e.uscc.as_ref().unwrap().as_str(), code(A));
        assert!(e.uscc.unwrap().is_valid());
        assert_eq!(e.cbec_type, Some(CbecType::Operating));
        assert_eq!(e.import_export, Some(Integer(1_200_000)));
        assert_eq!(e.platform_registered, Some(true));
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["cbec_type"], "operating");
        assert_eq!(serde_json::from_value::<RosterRow>(json).unwrap(), row);
    }

    #[test]
    fn diff_by_uscc() {
        let rows = |t: Vec<Vec<String>>| parse_table(&table(t), &ctx()).unwrap();
        let c = code("91330303MA2K5N8P3");
        let old = rows(vec![good(1, &code(A)), good(2, &code(B)), good(3, &c)]);
        let new = rows(vec![
            with(
                with(good(1, &c), Column::Active, "否"),
                Column::Employees,
                "40",
            ),
            good(2, &code(A)),
            good(3, &code("91330304MA2L6M9R1")),
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].uscc, code(B));
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].uscc, c);
        let cells: Vec<(Column, &str, &str)> = d.changed[0]
            .cells
            .iter()
            .map(|x| (x.column, x.old.as_str(), x.new.as_str()))
            .collect();
        assert_eq!(
            cells,
            [
                (Column::Employees, "35", "40"),
                (Column::Active, "是", "否")
            ]
        );
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn header_row_and_columns_agree() {
        assert_eq!(Column::ALL.len() + 1, COLUMNS.len());
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.index(), i + 1);
            assert_eq!(
                classify_header(c.title()).map(|m| m.column),
                Some(*c),
                "{c:?}"
            );
        }
        assert_eq!(header_row("元", "上年")[9], "上年跨境电商进出口额（元）");
        assert!(classify_header("序号").is_none());
    }
}
