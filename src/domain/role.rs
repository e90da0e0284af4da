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
    /// 系统管理员: tenants, the calendar, creating accounts.
    SysAdmin,
    /// 安全管理员: the security policy, unlocking accounts.
    SecAdmin,
    /// 审计管理员: reads every audit trail, changes nothing.
    AuditAdmin,
}

impl Role {
    pub const TENANT_ROLES: [Role; 4] = [Role::Operator, Role::County, Role::Expert, Role::Bureau];
    /// The platform's three administrators (三员分立): none of them sees business data, and
    /// none can do another's work.
    pub const PLATFORM_ROLES: [Role; 3] = [Role::SysAdmin, Role::SecAdmin, Role::AuditAdmin];

    /// A platform administrator, belonging to no tenant.
    pub fn is_platform(self) -> bool {
        Role::PLATFORM_ROLES.contains(&self)
    }

    /// Where a platform administrator's pages start.
    pub fn platform_home(self) -> &'static str {
        match self {
            Role::SecAdmin => "/admin/security",
            Role::AuditAdmin => "/admin/audit",
            _ => "/admin",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::County => "county",
            Role::Expert => "expert",
            Role::Bureau => "bureau",
            Role::SysAdmin => "sysadmin",
            Role::SecAdmin => "secadmin",
            Role::AuditAdmin => "auditadmin",
        }
    }

    /// The name officials see on pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Operator => "园区运营管理机构",
            Role::County => "属地商务主管部门",
            Role::Expert => "评审专家",
            Role::Bureau => "市商务局",
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
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
            "sysadmin" => Ok(Role::SysAdmin),
            "secadmin" => Ok(Role::SecAdmin),
            "auditadmin" => Ok(Role::AuditAdmin),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for role in Role::TENANT_ROLES.iter().chain(Role::PLATFORM_ROLES.iter()) {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("root".parse::<Role>().is_err());
    }
}
