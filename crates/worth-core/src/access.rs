//! Who may do what: the roles of Worth's users and the one policy every front end checks.
//!
//! The policy is a pure function of a principal (a role with its business units and the person
//! it speaks for) and what is asked, so that the server checks it on every route and API call
//! and a table test can walk every route against every role. Scoping is by business unit: an
//! owner sees and changes only the solutions they own in their units, a sponsor reads the
//! dashboards, reports and published stories of their units, analysts and admins see all.

use std::collections::BTreeSet;

choice_enum! {
    /// A user's role.
    Role {
        /// Everything, including users, roles and tokens.
        Admin,
        /// All value data; validates stories; runs chargeback and imports.
        Analyst,
        /// Their own solutions in their business units: value assessments, check-ins, stories.
        Owner,
        /// Dashboards, reports and published stories of their business units; reads only.
        Sponsor,
    }
}

/// What a request asks to do, as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read the dashboard, the portfolio's figures and the business units' pages.
    ReadDashboard,
    /// Download a report.
    ReadReport,
    /// Read the register: solutions with their value lines, costs and explanations.
    ReadSolutions,
    /// Register a solution or change one: value assessment, costs, check-ins.
    WriteSolution,
    /// Read KPIs, OKRs and stories beyond the published ones.
    ReadProgram,
    /// Write a story, a KPI value or an OKR check-in.
    WriteProgram,
    /// Validate or publish a story.
    ValidateStory,
    /// Move a solution through its lifecycle: approval freezes its estimate.
    SetStage,
    /// Run chargeback, read statements, read and run imports.
    Finance,
    /// Manage users, roles and every token.
    Admin,
    /// Create and revoke one's own API tokens.
    OwnTokens,
}

impl Action {
    /// Every action, for tables of tests and documentation.
    pub const ALL: [Action; 11] = [
        Action::ReadDashboard,
        Action::ReadReport,
        Action::ReadSolutions,
        Action::WriteSolution,
        Action::ReadProgram,
        Action::WriteProgram,
        Action::ValidateStory,
        Action::SetStage,
        Action::Finance,
        Action::Admin,
        Action::OwnTokens,
    ];
}

/// Whether `role` may take `action` at all, before any business-unit scope is checked.
pub fn allows(role: Role, action: Action) -> bool {
    use Action as A;
    match role {
        Role::Admin => true,
        Role::Analyst => !matches!(action, A::Admin),
        Role::Owner => matches!(
            action,
            A::ReadDashboard
                | A::ReadReport
                | A::ReadSolutions
                | A::WriteSolution
                | A::ReadProgram
                | A::WriteProgram
                | A::OwnTokens
        ),
        Role::Sponsor => matches!(action, A::ReadDashboard | A::ReadReport | A::OwnTokens),
    }
}

/// Who is asking: a role, the business units it is scoped to, and the person it speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The login name.
    pub user: String,
    /// The role in force (a token may carry a lesser one than its user).
    pub role: Role,
    /// The name keys of the business units an owner or sponsor is scoped to.
    pub business_units: BTreeSet<String>,
    /// The person the user is, as solutions name their owner.
    pub person: Option<String>,
}

impl Principal {
    /// Whether this principal may take `action` at all.
    pub fn may(&self, action: Action) -> bool {
        allows(self.role, action)
    }

    /// Whether this principal sees everything, unscoped.
    pub fn sees_all(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Analyst)
    }

    /// Whether the business unit named `unit` is in this principal's scope.
    pub fn in_unit(&self, unit: &str) -> bool {
        self.sees_all() || self.business_units.contains(&name_key(unit))
    }

    /// Whether this principal may take `action` on a solution of `unit` owned by `owner`.
    ///
    /// Owners act only on the solutions they own in their units; sponsors read the figures of
    /// their units' solutions on dashboards, never the register itself.
    pub fn may_on_solution(&self, action: Action, unit: &str, owner: Option<&str>) -> bool {
        if !self.may(action) {
            return false;
        }
        match self.role {
            Role::Admin | Role::Analyst => true,
            Role::Owner => {
                // An owner with no person on record registers solutions under their login name,
                // so that name is the one they own by.
                let me = self.person.as_deref().unwrap_or(&self.user);
                self.in_unit(unit) && owner.is_some_and(|o| name_key(o) == name_key(me))
            }
            Role::Sponsor => {
                self.in_unit(unit) && matches!(action, Action::ReadDashboard | Action::ReadReport)
            }
        }
    }

    /// Whether a role may be given to a token of this principal: never more than its own,
    /// and owners and sponsors only their own role (an owner sees their own solutions, a
    /// sponsor the whole unit's figures: neither is less than the other).
    pub fn may_grant(&self, role: Role) -> bool {
        if self.sees_all() { rank(role) <= rank(self.role) } else { role == self.role }
    }
}

/// How much a role may do, for comparing a token's role with its user's.
fn rank(role: Role) -> u8 {
    match role {
        Role::Sponsor => 0,
        Role::Owner => 1,
        Role::Analyst => 2,
        Role::Admin => 3,
    }
}

/// The case-insensitive key of a name, as the store keeps it.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, units: &[&str], person: Option<&str>) -> Principal {
        Principal {
            user: "u".into(),
            role,
            business_units: units.iter().map(|u| name_key(u)).collect(),
            person: person.map(str::to_owned),
        }
    }

    #[test]
    fn only_admins_administer() {
        for role in [Role::Analyst, Role::Owner, Role::Sponsor] {
            assert!(!allows(role, Action::Admin), "{role}");
        }
        assert!(Action::ALL.iter().all(|a| allows(Role::Admin, *a)));
    }

    #[test]
    fn sponsors_only_read_dashboards_and_reports() {
        let allowed: Vec<Action> =
            Action::ALL.into_iter().filter(|a| allows(Role::Sponsor, *a)).collect();
        assert_eq!(allowed, [Action::ReadDashboard, Action::ReadReport, Action::OwnTokens]);
    }

    #[test]
    fn an_owner_acts_on_their_own_solutions_in_their_units_only() {
        let p = principal(Role::Owner, &["Finance"], Some("Ada Lovelace"));
        assert!(p.may_on_solution(Action::WriteSolution, "finance", Some("ada lovelace")));
        assert!(!p.may_on_solution(Action::WriteSolution, "Finance", Some("Grace Hopper")));
        assert!(!p.may_on_solution(Action::WriteSolution, "Sales", Some("Ada Lovelace")));
        assert!(!p.may_on_solution(Action::ReadSolutions, "Finance", None));
        assert!(!p.may_on_solution(Action::Finance, "Finance", Some("Ada Lovelace")));
    }

    #[test]
    fn an_owner_with_no_person_owns_by_their_login_name() {
        let p = principal(Role::Owner, &["Finance"], None);
        assert!(p.may_on_solution(Action::WriteSolution, "Finance", Some(" U ")));
        assert!(!p.may_on_solution(Action::WriteSolution, "Finance", Some("Ada Lovelace")));
        assert!(!p.may_on_solution(Action::ReadSolutions, "Finance", None));
    }

    #[test]
    fn a_sponsor_reads_figures_of_their_units_but_not_the_register() {
        let p = principal(Role::Sponsor, &["Finance"], None);
        assert!(p.may_on_solution(Action::ReadDashboard, "Finance", None));
        assert!(!p.may_on_solution(Action::ReadDashboard, "Sales", None));
        assert!(!p.may_on_solution(Action::ReadSolutions, "Finance", None));
    }

    #[test]
    fn a_token_never_carries_more_than_its_user() {
        let p = principal(Role::Analyst, &[], None);
        assert!(p.may_grant(Role::Analyst) && p.may_grant(Role::Sponsor));
        assert!(!p.may_grant(Role::Admin));
        let owner = principal(Role::Owner, &["Finance"], Some("Ada"));
        assert!(owner.may_grant(Role::Owner));
        assert!(!owner.may_grant(Role::Sponsor), "a sponsor token would see the peers' figures");
        let sponsor = principal(Role::Sponsor, &["Finance"], None);
        assert!(!sponsor.may_grant(Role::Owner));
    }
}
