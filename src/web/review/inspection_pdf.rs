//! The frozen inspection record as an A4 PDF, the same content as its print page.
use super::inspection::Printed;
use crate::io::pdf::{Column, Writer};

pub fn render(doc: &Printed) -> Result<Vec<u8>, lopdf::Error> {
    let mut w = Writer::new();
    w.title(&doc.title, 16.0);
    w.right(&format!("第 {} 版", doc.version), 10.5);
    w.gap(6.0);
    let label = [
        Column {
            title: "",
            weight: 1.0,
        },
        Column {
            title: "",
            weight: 3.0,
        },
    ];
    let facts: Vec<Vec<String>> = doc
        .facts
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    w.table(&label, &facts, 10.0);
    w.gap(8.0);
    w.heading("考核内容", 12.0);
    let columns = [
        Column {
            title: "依据",
            weight: 1.2,
        },
        Column {
            title: "考核内容",
            weight: 3.5,
        },
        Column {
            title: "结论",
            weight: 1.0,
        },
        Column {
            title: "说明",
            weight: 2.8,
        },
    ];
    let rows: Vec<Vec<String>> = doc.items.iter().map(|r| r.to_vec()).collect();
    w.table(&columns, &rows, 9.0);
    w.gap(8.0);
    w.paragraph(&format!("到场专家：{}", doc.present), 10.5);
    if !doc.absent.is_empty() {
        w.paragraph(&format!("未到场专家：{}", doc.absent), 10.5);
    }
    if !doc.others.is_empty() {
        w.paragraph(&format!("其他到场人员：{}", doc.others), 10.5);
    }
    if !doc.photos.is_empty() {
        w.gap(6.0);
        w.heading("现场照片", 11.0);
        for p in &doc.photos {
            w.paragraph(p, 9.0);
        }
    }
    w.gap(6.0);
    w.heading("专家确认", 11.0);
    for (name, state) in &doc.confirmations {
        w.paragraph(&format!("{name}：{state}"), 10.5);
    }
    let captions: Vec<String> = doc
        .confirmations
        .iter()
        .map(|(n, _)| format!("{n}（签字）："))
        .collect();
    let captions: Vec<&str> = captions.iter().map(String::as_str).take(3).collect();
    w.signature_boxes(&captions, 60.0);
    w.finish(&doc.title)
}
