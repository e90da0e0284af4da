//! The certificate as a PDF (A4 landscape), for filing and printing where a browser's print
//! dialog is not at hand, in the predefined Chinese font of [`crate::io::pdf`].
use crate::db::awards::Award;
use crate::io::pdf::{ucs2, width};
use lopdf::content::Operation;

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;

/// A line of text centred on the page (`x` None) or starting at `x`.
struct Line {
    text: String,
    size: f32,
    y: f32,
    x: Option<f32>,
}

/// The certificate's lines, as on the HTML page.
fn lines(award: &Award, city: &str, issuer: &str, awarded: &str, valid: &str) -> Vec<Line> {
    let centred = |text: String, size: f32, y: f32| Line {
        text,
        size,
        y,
        x: None,
    };
    let mut lines = vec![
        Line {
            text: format!("证书编号：{}", award.number),
            size: 12.0,
            y: 520.0,
            x: Some(WIDTH - 80.0 - width(&format!("证书编号：{}", award.number), 12.0)),
        },
        centred(format!("{city}跨境电子商务产业园区"), 30.0, 450.0),
        centred(award.park_name.clone(), 24.0, 395.0),
    ];
    if !award.tier_label().is_empty() {
        lines.push(centred(format!("（{}）", award.tier_label()), 16.0, 362.0));
    }
    lines.push(centred(
        format!("运营管理机构：{}", award.operator),
        14.0,
        320.0,
    ));
    lines.push(centred(
        format!("统一社会信用代码：{}", award.uscc),
        14.0,
        298.0,
    ));
    let basis = if award.basis == "provincial" {
        format!(
            "依据{}，直接认定为{city}跨境电子商务产业园区。",
            award.evidence
        )
    } else {
        format!("经申报、初审推荐、专家评审和公示，认定为{city}跨境电子商务产业园区。")
    };
    lines.push(centred(basis, 14.0, 262.0));
    lines.push(centred(format!("有效期至：{valid}"), 14.0, 230.0));
    lines.push(Line {
        text: issuer.to_string(),
        size: 16.0,
        y: 150.0,
        x: Some(600.0),
    });
    lines.push(Line {
        text: awarded.to_string(),
        size: 14.0,
        y: 125.0,
        x: Some(600.0),
    });
    lines
}

pub fn render(
    award: &Award,
    city: &str,
    issuer: &str,
    awarded: &str,
    valid: &str,
) -> Result<Vec<u8>, lopdf::Error> {
    let mut operations = vec![
        // A double frame, as on the printed page.
        Operation::new("w", vec![3.into()]),
        Operation::new(
            "re",
            vec![
                30.into(),
                30.into(),
                (WIDTH - 60.0).into(),
                (HEIGHT - 60.0).into(),
            ],
        ),
        Operation::new("S", vec![]),
        Operation::new("w", vec![1.into()]),
        Operation::new(
            "re",
            vec![
                38.into(),
                38.into(),
                (WIDTH - 76.0).into(),
                (HEIGHT - 76.0).into(),
            ],
        ),
        Operation::new("S", vec![]),
    ];
    for mut line in lines(award, city, issuer, awarded, valid) {
        // A long line (a park's long name, the list it rests on) shrinks to fit the frame.
        let room = WIDTH - 120.0;
        if line.x.is_none() && width(&line.text, line.size) > room {
            line.size = (line.size * room / width(&line.text, line.size)).max(8.0);
        }
        let x = line
            .x
            .unwrap_or_else(|| (WIDTH - width(&line.text, line.size)) / 2.0);
        operations.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), line.size.into()]),
            Operation::new("Td", vec![x.into(), line.y.into()]),
            Operation::new("Tj", vec![ucs2(&line.text)]),
            Operation::new("ET", vec![]),
        ]);
    }
    crate::io::pdf::assemble(vec![((WIDTH, HEIGHT), operations)])
}
