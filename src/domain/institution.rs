//! A third-party review institution (中山 第八条（三）) and its recusal: an institution must not
//! be, or be linked to, the applicant or an enterprise on the park's roster.

/// An organisation as the recusal compares it: by USCC, and by its exact name.
#[derive(Debug, Clone, Copy)]
pub struct Party<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
}

impl Party<'_> {
    fn is(&self, other: &Party<'_>) -> bool {
        let same = |a: &str, b: &str| !a.trim().is_empty() && a.trim() == b.trim();
        same(self.uscc, other.uscc) || same(self.name, other.name)
    }
}

/// Why the institution may not review this application, or None.
pub fn conflict(
    institution: Party<'_>,
    applicant: Party<'_>,
    roster: &[Party<'_>],
) -> Option<String> {
    if institution.is(&applicant) {
        return Some(format!("该机构即申报单位（{}）", applicant.name));
    }
    roster.iter().position(|e| institution.is(e)).map(|i| {
        format!(
            "该机构是本园区入驻企业（入驻企业名录第 {} 行：{}）",
            i + 1,
            roster[i].name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTITUTE: Party = Party {
        uscc: "91442000MA4WJ8KX3B",
        name: "广东粤港澳跨境电商研究院有限公司",
    };

    #[test]
    fn an_institution_that_is_the_applicant_or_on_its_roster_must_recuse() {
        let applicant = Party {
            uscc: "91442000MA51QW2E85",
            name: "中山古镇灯饰园运营有限公司",
        };
        assert_eq!(conflict(INSTITUTE, applicant, &[]), None);
        let by_uscc = Party {
            uscc: INSTITUTE.uscc,
            name: "另一个名称",
        };
        assert!(
            conflict(INSTITUTE, by_uscc, &[])
                .unwrap()
                .contains("即申报单位")
        );
        let roster = [
            Party {
                uscc: "91442000MA5XXXXX01",
                name: "中山某灯饰有限公司",
            },
            Party {
                uscc: "",
                name: "广东粤港澳跨境电商研究院有限公司",
            },
        ];
        assert!(
            conflict(INSTITUTE, applicant, &roster)
                .unwrap()
                .contains("第 2 行")
        );
    }

    #[test]
    fn empty_identifiers_never_match() {
        let blank = Party { uscc: "", name: "" };
        assert_eq!(conflict(blank, blank, &[blank]), None);
    }
}
