//! The roles of DOMAIN.md §2. A user has exactly one.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Operator,
    County,
    Expert,
    Bureau,
    Admin,
}

impl Role {
    pub const TENANT_ROLES: [Role; 4] = [Role::Operator, Role::County, Role::Expert, Role::Bureau];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::County => "county",
            Role::Expert => "expert",
            Role::Bureau => "bureau",
            Role::Admin => "admin",
        }
    }

    /// The name officials see on pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Operator => "园区运营管理机构",
            Role::County => "属地商务主管部门",
            Role::Expert => "评审专家",
            Role::Bureau => "市商务局",
            Role::Admin => "平台管理员",
        }
    }

    /// The path segment of the role's own area under `/t/{tenant}/`.
    pub fn area(self) -> &'static str {
        self.as_str()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("未知角色：{0}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "operator" => Ok(Role::Operator),
            "county" => Ok(Role::County),
            "expert" => Ok(Role::Expert),
            "bureau" => Ok(Role::Bureau),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for role in Role::TENANT_ROLES.iter().chain([Role::Admin].iter()) {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
