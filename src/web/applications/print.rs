//! A frozen version as the paper the regulations ask for: the 申报表 with the legal
//! representative's signature (温州 附件1), the 申报书 under the applicant's seal (附件2) and the
//! roster (附件3), as an A4 print page and as a PDF. Both show the version exactly as submitted.
use super::Loaded;
use crate::db::applications::Version;
use crate::domain::application_form;
use crate::domain::roster::Column;
use crate::io::pdf::{self, A4_LANDSCAPE, Writer};
use crate::web::page::PageCtx;
use askama::Template;

/// The section of the form that is the 申报书; every other section is the 申报表.
const STATEMENT_SECTION: &str = "report";

#[derive(Template)]
#[template(path = "applications/version_print.html")]
pub struct PrintPage {
    pub ctx: PageCtx,
    pub back: String,
    pub pdf: String,
    pub doc: Printed,
}

/// What the print page and the PDF both show.
pub struct Printed {
    pub form_title: String,
    pub form_attachment: String,
    pub statement_title: String,
    pub statement_attachment: String,
    pub roster_title: String,
    pub park_name: String,
    pub organization: String,
    pub uscc: String,
    pub number: i32,
    pub submitted_on: String,
    pub submitted_at: String,
    pub form_sections: Vec<(String, Vec<(String, String)>)>,
    pub statement: Vec<(String, String)>,
    /// The 申报书's cover: address, contact, phones, e-mail.
    pub cover: Vec<(&'static str, String)>,
    pub roster_titles: Vec<String>,
    pub roster: Vec<Vec<String>>,
    pub documents: Vec<(String, String)>,
}

pub fn printed(loaded: &Loaded, v: &Version, city: &str) -> Printed {
    let value = |key: &str| v.form.0.get(key).cloned().unwrap_or_default();
    let mut form_sections = Vec::new();
    let mut statement = Vec::new();
    for section in &loaded.spec.sections {
        let rows: Vec<(String, String)> = section
            .fields
            .iter()
            .map(|f| {
                (
                    f.label.clone(),
                    application_form::display(f, &value(&f.key)),
                )
            })
            .collect();
        if section.id == STATEMENT_SECTION {
            statement = rows;
        } else {
            form_sections.push((section.title.clone(), rows));
        }
    }
    let texts = &loaded.rules.texts;
    let phones = [value("contact.phone"), value("contact.mobile")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("　");
    let submitted = super::shanghai_day(v.submitted_at);
    Printed {
        form_title: texts.form_title_or(city),
        form_attachment: texts.form_attachment.clone(),
        statement_title: texts.statement_title_or(city),
        statement_attachment: texts.statement_attachment.clone(),
        roster_title: texts.roster_title(),
        park_name: v.park_name.clone(),
        organization: loaded.app.organization_name.clone(),
        uscc: loaded.app.organization_uscc.clone(),
        number: v.number,
        submitted_on: crate::web::publicity::date_label(submitted),
        submitted_at: crate::web::calls::shanghai_minute(v.submitted_at),
        form_sections,
        statement,
        cover: vec![
            ("通讯地址", value(application_form::keys::PARK_ADDRESS)),
            ("联系人", value("contact.name")),
            ("联系电话", phones),
            ("电子邮箱", value("contact.email")),
        ],
        roster_titles: super::roster_titles(&loaded.rules),
        roster: super::roster_of(&v.roster.0)
            .iter()
            .map(|r| Column::ALL.iter().map(|c| r.cell(*c)).collect())
            .collect(),
        documents: v
            .documents
            .0
            .iter()
            .map(|d| (d.category_label().to_string(), d.filename.clone()))
            .collect(),
    }
}

impl Printed {
    pub fn footer(&self) -> String {
        format!(
            "{} · 第 {} 版 · 提交于 {} · 由系统按提交的版本生成",
            self.park_name, self.number, self.submitted_at
        )
    }

    pub fn file_name(&self) -> String {
        format!("申报材料-{}-第{}版.pdf", self.park_name, self.number)
    }
}

/// The same document as a PDF: the 申报表, the 申报书 and the roster on landscape pages.
pub fn pdf(doc: &Printed) -> Result<Vec<u8>, lopdf::Error> {
    let mut w = Writer::new();
    heading(&mut w, &doc.form_attachment, &doc.form_title);
    w.right(&format!("填报时间：{}", doc.submitted_on), 10.5);
    w.gap(6.0);
    let label_columns = [
        pdf::Column {
            title: "",
            weight: 2.0,
        },
        pdf::Column {
            title: "",
            weight: 5.0,
        },
    ];
    let org = vec![
        vec!["运营管理机构".to_string(), doc.organization.clone()],
        vec!["统一社会信用代码".to_string(), doc.uscc.clone()],
    ];
    w.table(&label_columns, &org, 10.0);
    for (title, rows) in &doc.form_sections {
        w.gap(8.0);
        w.heading(title, 12.0);
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|(label, value)| vec![label.clone(), value.clone()])
            .collect();
        w.table(&label_columns, &rows, 10.0);
    }
    w.signature_boxes(&["法定代表人签字：", "申报单位（盖章）："], 80.0);

    w.new_page(pdf::A4_PORTRAIT);
    heading(&mut w, &doc.statement_attachment, &doc.statement_title);
    w.gap(10.0);
    w.paragraph(&format!("申请主体（盖章）：{}", doc.organization), 12.0);
    for (label, value) in &doc.cover {
        w.paragraph(&format!("{label}：{value}"), 12.0);
    }
    w.paragraph(&format!("填报日期：{}", doc.submitted_on), 12.0);
    for (heading, text) in &doc.statement {
        w.gap(8.0);
        w.heading(heading, 12.0);
        w.paragraph(text, 10.5);
    }
    w.signature_boxes(&["申请主体（加盖单位公章）："], 90.0);

    w.new_page(A4_LANDSCAPE);
    w.title(&doc.roster_title, 14.0);
    w.gap(4.0);
    let titles: Vec<String> = std::iter::once("序号".to_string())
        .chain(doc.roster_titles.iter().cloned())
        .collect();
    let columns: Vec<pdf::Column> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| pdf::Column {
            title: t,
            weight: match i {
                0 => 0.6,
                1 | 2 | 7 => 2.0,
                _ => 1.0,
            },
        })
        .collect();
    let rows: Vec<Vec<String>> = doc
        .roster
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            std::iter::once((i + 1).to_string())
                .chain(cells.iter().cloned())
                .collect()
        })
        .collect();
    w.table(&columns, &rows, 6.5);
    if !doc.documents.is_empty() {
        w.gap(10.0);
        w.heading("随附申报材料", 11.0);
        for (category, file) in &doc.documents {
            w.paragraph(&format!("{category}：{file}"), 9.0);
        }
    }
    w.finish(&doc.footer())
}

fn heading(w: &mut Writer, attachment: &str, title: &str) {
    if !attachment.is_empty() {
        w.paragraph(attachment, 12.0);
    }
    w.title(title, 18.0);
}
