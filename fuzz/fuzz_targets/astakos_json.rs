//! Astakos replies: the access document and its catalog (and the endpoint
//! lookups made in it), users, quotas, projects, memberships, commissions,
//! OAuth2 tokens.
#![no_main]

use kamaki::clients::astakos::{
    find_endpoint, AuthInfo, CommissionInfo, Membership, OAuth2Token, Project,
    ProjectApplication, ProjectQuotas, ResourceInfo, UserCatalogs, UserInfo, UserQuotas,
};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = serde_json::from_slice::<AuthInfo>(data) {
        let _ = format!("{info:?}");
        let _ = serde_json::to_vec(&info);
        let services = info.access.service_catalog;
        for service_type in ["identity", "compute", "object-store", ""] {
            for version in [None, Some("v2.0"), Some("")] {
                if let Ok(endpoint) = find_endpoint(services.clone(), service_type, version) {
                    let _ = endpoint.public_url.len();
                }
            }
        }
    }
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    macro_rules! decode {
        ($($t:ty),+) => {$(
            let _ = <$t>::deserialize(&value);
            let _ = <Vec<$t>>::deserialize(&value);
        )+};
    }
    decode!(
        UserInfo,
        UserCatalogs,
        UserQuotas,
        ProjectQuotas,
        ResourceInfo,
        Project,
        ProjectApplication,
        Membership,
        CommissionInfo,
        OAuth2Token
    );
});
