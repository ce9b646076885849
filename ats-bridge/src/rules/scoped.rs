//! A connection's rules as its fleet engine reads them: every ATS name the rules
//! file says (`lever`) becomes the connection's adapter name (`acme/lever`).

use super::Rules;
use crate::connection::ConnectionId;
use crate::model::AtsName;

impl Rules {
    /// These rules with every ATS name scoped to connection `id`
    /// ([`ConnectionId::scope`]): a connection's rules name its accounts as they are
    /// named in the connection (`lever`), and its engine knows them as `{id}/lever`.
    pub fn scoped_to(mut self, id: &ConnectionId) -> Self {
        let scope = |ats: &mut AtsName| *ats = AtsName::from(id.scope(ats.as_str()));
        self.triggers.iter_mut().for_each(|t| scope(&mut t.ats));
        self.auto_progress
            .iter_mut()
            .for_each(|a| scope(&mut a.ats));
        self.screening.iter_mut().for_each(|s| scope(&mut s.ats));
        self.interview_tags
            .iter_mut()
            .for_each(|r| scope(&mut r.ats));
        self.mapping = std::mem::take(&mut self.mapping)
            .into_iter()
            .map(|(ats, mapping)| (AtsName::from(id.scope(ats.as_str())), mapping))
            .collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ats_name_is_scoped() {
        let rules = Rules::from_toml(
            r#"
            [[trigger]]
            ats = "lever"
            job = "*"
            stages = ["s1"]
            interview = "i1"

            [[screening]]
            interview = "i2"
            ats = "smartrecruiters"
            job = "j1"
            "#,
        )
        .unwrap()
        .scoped_to(&ConnectionId::new("acme").unwrap());
        assert_eq!(rules.triggers[0].ats.as_str(), "acme/lever");
        assert_eq!(rules.screening[0].ats.as_str(), "acme/smartrecruiters");
    }
}
