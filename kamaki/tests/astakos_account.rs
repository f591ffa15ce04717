//! The Astakos account API through `AstakosClient`, against the emulator:
//! resources, quotas, projects, applications, memberships, commissions, and
//! the kamaki examples that use them.

use kamaki::clients::astakos::{
    AstakosClient, MemberPolicy, ProjectFilter, ProjectSpec, ResourcePolicy,
};
use std::time::Duration;

use kamaki::clients::compute::{CreateServerOptions, ListFlavorsOptions, ListImagesOptions};
use kamaki::clients::cyclades::CycladesComputeClient;
use kamaki::clients::wait::WaitOptions;
use kamaki::clients::{Client, ClientError};
use synnefo_emu::Emulator;

struct Cloud {
    emu: Emulator,
    owner: AstakosClient,
    admin: AstakosClient,
    member: AstakosClient,
    /// A component's (Cyclades') client: service calls and commissions.
    service: AstakosClient,
}

impl Cloud {
    async fn start() -> Cloud {
        let emu = Emulator::builder()
            .user("owner@example.org", "owner-token")
            .user("admin@example.org", "admin-token")
            .user("member@example.org", "member-token")
            .action_delay(Duration::from_millis(10))
            .start()
            .await
            .unwrap();
        emu.state().account.add_project_admin(&emu.users()[1].uuid);
        let client = |token: &str| AstakosClient::new(&emu.auth_url(), token).unwrap();
        Cloud {
            owner: client("owner-token"),
            admin: client("admin-token"),
            member: client("member-token"),
            service: client(&emu.service_token()),
            emu,
        }
    }

    fn uuid(&self, i: usize) -> String {
        self.emu.users()[i].uuid.clone()
    }

    /// A project applied for by the owner and approved by the admin.
    async fn project(&self, name: &str, join: MemberPolicy, vms: (u64, u64)) -> String {
        let ids = self
            .owner
            .create_project(
                &ProjectSpec::new(name, "2099-12-31T00:00:00Z")
                    .description("for tests")
                    .homepage("https://example.org")
                    .join_policy(join)
                    .leave_policy(MemberPolicy::Auto)
                    .resource("cyclades.vm", ResourcePolicy::new(vms.0, vms.1))
                    .resource("cyclades.floating_ip", ResourcePolicy::new(1, 2)),
            )
            .await
            .unwrap();
        self.admin
            .approve_application(&ids.id, ids.application, "ok")
            .await
            .unwrap();
        ids.id
    }
}

fn status(err: &ClientError) -> u16 {
    err.status()
}

#[tokio::test]
async fn resources_are_described() {
    let cloud = Cloud::start().await;
    let resources = cloud.owner.get_resources().await.unwrap();
    let vm = &resources["cyclades.vm"];
    assert_eq!(vm.service, "cyclades_compute");
    assert_eq!(vm.unit, None);
    assert_eq!(vm.api_visible, Some(true));
    assert_eq!(resources["pithos.diskspace"].unit.as_deref(), Some("bytes"));
    assert!(!resources.contains_key("astakos.pending_app"));
}

/// kamaki's `astakos-quotas.py`: my VMs and IPs in my system project.
#[tokio::test]
async fn example_quotas_of_my_system_project() {
    let cloud = Cloud::start().await;
    let user = cloud.owner.authenticate().await.unwrap();
    let uuid = user.access.user.unwrap().id;
    cloud
        .emu
        .state()
        .quotas
        .charge(&uuid, &uuid, &[("cyclades.vm", 3)])
        .unwrap();
    let all = cloud.owner.get_quotas().await.unwrap();
    let mine = &all[&uuid];
    let (vms, ips) = (&mine["cyclades.vm"], &mine["cyclades.floating_ip"]);
    assert_eq!((vms.usage, vms.limit), (3, 10));
    assert_eq!((ips.usage, ips.limit), (0, 5));
    assert_eq!(vms.available(), 7);
}

/// kamaki's `astakos-project-info.py`: every project I can see, with
/// name, id, description and homepage.
#[tokio::test]
async fn example_query_my_projects() {
    let cloud = Cloud::start().await;
    let id = cloud
        .project("course.example.org", MemberPolicy::Auto, (2, 4))
        .await;
    let projects = cloud
        .owner
        .get_projects(&ProjectFilter::new())
        .await
        .unwrap();
    let lines: Vec<String> = projects
        .iter()
        .map(|p| {
            format!(
                "Project {} ({})\n\t{}\n\t{}",
                p.name,
                p.id,
                p.description.as_deref().unwrap_or(""),
                p.homepage.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.contains(&format!(
        "Project course.example.org ({id})\n\tfor tests\n\thttps://example.org"
    )));
    let system = projects
        .iter()
        .find(|p| p.system_project == Some(true))
        .unwrap();
    assert_eq!(system.id, cloud.uuid(0));

    let project = cloud.owner.get_project(&id).await.unwrap();
    assert_eq!(project.state, "active");
    assert_eq!(project.owner.as_deref(), Some(cloud.uuid(0).as_str()));
    assert_eq!(project.join_policy.as_deref(), Some("auto"));
    assert_eq!(project.resources["cyclades.vm"], ResourcePolicy::new(2, 4));
    let app = project.last_application.unwrap();
    assert_eq!(app.state, "approved");
    assert_eq!(app.applicant, cloud.uuid(0));

    // Filters.
    let active = ProjectFilter::new().mode("active");
    let listed = cloud.member.get_projects(&active).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert!(listed[0].last_application.is_none(), "only owners see it");
    let named = ProjectFilter::new().name("course.example.org");
    assert_eq!(cloud.admin.get_projects(&named).await.unwrap().len(), 1);
    let by_owner = ProjectFilter::new().owner(&cloud.uuid(1));
    assert!(cloud
        .admin
        .get_projects(&by_owner)
        .await
        .unwrap()
        .is_empty());
    let err = cloud
        .owner
        .get_projects(&ProjectFilter::new().state("sleepy"))
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
    assert_eq!(err.message(), "Unrecognized state sleepy");
    let err = cloud
        .owner
        .get_project("no-such-project")
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404);
}

/// kamaki's `astakos-project-quotas.py`: usage and limit per project and
/// resource.
#[tokio::test]
async fn example_quotas_per_project() {
    let cloud = Cloud::start().await;
    let id = cloud
        .project("lab.example.org", MemberPolicy::Auto, (2, 4))
        .await;
    let memb = cloud.member.join_project(&id).await.unwrap();
    let member = cloud.uuid(2);
    cloud
        .emu
        .state()
        .quotas
        .charge(&member, &id, &[("cyclades.vm", 1)])
        .unwrap();

    let all = cloud.member.get_quotas().await.unwrap();
    let mut report = Vec::new();
    for (project, resources) in &all {
        report.push(format!("For project with id {project}"));
        for (resource, values) in resources {
            report.push(format!("  {resource}: {}/{}", values.usage, values.limit));
        }
    }
    assert_eq!(all.len(), 2, "system and lab: {report:?}");
    assert!(report.contains(&format!("For project with id {id}")));
    assert!(
        report.contains(&"  cyclades.vm: 1/2".to_string()),
        "{report:?}"
    );
    assert_eq!(all[&id]["cyclades.vm"].project_limit, 4);
    assert_eq!(all[&id]["cyclades.ram"].limit, 0, "not granted");
    let me = cloud
        .member
        .authenticate()
        .await
        .unwrap()
        .access
        .user
        .unwrap();
    assert!(
        me.projects.contains(&id),
        "the token lists the member's projects"
    );
    assert!(me.projects.contains(&member));

    // Leaving takes the project out of the report.
    cloud.member.leave_project(memb, "done").await.unwrap();
    let all = cloud.member.get_quotas().await.unwrap();
    assert!(!all.contains_key(&id));
    assert_eq!(
        cloud.member.get_membership(memb).await.unwrap().state,
        "removed"
    );
}

/// kamaki's `astakos-resource-allocation.py` allocates a floating IP to a
/// given project; here the allocation is the commission the network
/// service issues for it, charged to the project.
#[tokio::test]
async fn example_allocate_a_resource_to_a_specific_project() {
    let cloud = Cloud::start().await;
    let project = cloud
        .project("ips.example.org", MemberPolicy::Auto, (2, 4))
        .await;
    let uuid = cloud.uuid(0);
    cloud.owner.join_project(&project).await.unwrap();

    let serial = cloud
        .service
        .issue_one_commission(
            &uuid,
            &[(&project, "cyclades.floating_ip", 1)],
            "a floating IP",
            false,
            true,
        )
        .await
        .unwrap();
    assert!(serial > 0);
    let quotas = cloud.owner.get_quotas().await.unwrap();
    assert_eq!(quotas[&project]["cyclades.floating_ip"].usage, 1);
    assert_eq!(
        quotas[&uuid]["cyclades.floating_ip"].usage, 0,
        "not the system project"
    );

    // Past the member limit of 1.
    let err = cloud
        .service
        .issue_one_commission(
            &uuid,
            &[(&project, "cyclades.floating_ip", 1)],
            "",
            false,
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(status(&err), 413);
    assert_eq!(err.message(), "Resource Limit Exceeded for your account.");
    assert_eq!(
        err.details(),
        ["Limit for resource 'Floating IP address' exceeded for your account. Available: 0, Requested: 1"]
    );
    // A project one is not a member of holds nothing for them.
    let other = cloud
        .project("other.example.org", MemberPolicy::Moderated, (1, 1))
        .await;
    let err = cloud
        .service
        .issue_one_commission(
            &cloud.uuid(2),
            &[(&other, "cyclades.vm", 1)],
            "",
            false,
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404);
    // Services see the same through their own calls.
    let service = cloud
        .service
        .service_get_quotas(&[&uuid], &[&project])
        .await
        .unwrap();
    assert_eq!(service[&uuid][&project]["cyclades.floating_ip"].usage, 1);
    assert_eq!(service[&uuid].len(), 1);
    let projects = cloud
        .service
        .service_get_project_quotas(&[&project])
        .await
        .unwrap();
    assert_eq!(projects[&project]["cyclades.floating_ip"].project_usage, 1);
    assert_eq!(projects[&project]["cyclades.floating_ip"].project_limit, 2);
    let everyone = cloud.service.service_get_quotas(&[], &[]).await.unwrap();
    assert_eq!(everyone.len(), 3);
}

#[tokio::test]
async fn commissions_are_pending_until_resolved() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(0);
    // Commissions are a service's; quotas are the owner's to see.
    let a = &cloud.service;
    let owner = &cloud.owner;
    let first = a
        .issue_one_commission(&uuid, &[(&uuid, "cyclades.vm", 2)], "two", false, false)
        .await
        .unwrap();
    let second = a
        .issue_commission_generic(
            &[(&uuid, &uuid, "cyclades.vm", 1)],
            &[(&uuid, "cyclades.vm", 1)],
            "one",
            false,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        a.get_pending_commissions().await.unwrap(),
        vec![first, second]
    );
    let info = a.get_commission_info(first).await.unwrap();
    assert_eq!(info.serial, first);
    assert_eq!(info.name, "two");
    assert_eq!(info.provisions.len(), 2);
    assert_eq!(info.provisions[0].holder, format!("user:{uuid}"));
    assert_eq!(info.provisions[1].source, None);
    let quotas = owner.get_quotas().await.unwrap();
    assert_eq!(quotas[&uuid]["cyclades.vm"].pending, 3);

    a.accept_commission(first).await.unwrap();
    a.reject_commission(second).await.unwrap();
    assert!(a.get_pending_commissions().await.unwrap().is_empty());
    assert_eq!(
        status(&a.get_commission_info(first).await.unwrap_err()),
        404
    );
    assert_eq!(status(&a.accept_commission(first).await.unwrap_err()), 404);
    let quotas = owner.get_quotas().await.unwrap();
    assert_eq!(
        (
            quotas[&uuid]["cyclades.vm"].usage,
            quotas[&uuid]["cyclades.vm"].pending
        ),
        (2, 0)
    );

    let third = a
        .issue_one_commission(&uuid, &[(&uuid, "cyclades.vm", 1)], "", false, false)
        .await
        .unwrap();
    let done = a.resolve_commissions(&[third], &[12345]).await.unwrap();
    assert_eq!(done.accepted, vec![third]);
    assert_eq!(done.failed.len(), 1);
    assert_eq!(done.failed[0].0, 12345);
    assert!(a.commission_action(third, "maybe").await.is_err());

    // Reassigning moves usage from the system project to another.
    let project = cloud
        .project("move.example.org", MemberPolicy::Auto, (5, 5))
        .await;
    owner.join_project(&project).await.unwrap();
    a.issue_resource_reassignment(
        &uuid,
        &[(&uuid, &project, "cyclades.vm", 3)],
        "move",
        false,
        true,
    )
    .await
    .unwrap();
    let quotas = owner.get_quotas().await.unwrap();
    assert_eq!(quotas[&uuid]["cyclades.vm"].usage, 0);
    assert_eq!(quotas[&project]["cyclades.vm"].usage, 3);
}

#[tokio::test]
async fn applications_are_approved_denied_and_cancelled() {
    let cloud = Cloud::start().await;
    let spec = ProjectSpec::new("new.example.org", "2099-01-01")
        .comments("please")
        .max_members(5)
        .private(false);
    let ids = cloud.owner.create_project(&spec).await.unwrap();
    let pending = cloud.owner.get_project(&ids.id).await.unwrap();
    assert_eq!(pending.state, "uninitialized");
    let app = pending.last_application.unwrap();
    assert_eq!((app.id, app.state.as_str()), (ids.application, "pending"));
    assert_eq!(app.comments.as_deref(), Some("please"));

    let err = cloud
        .owner
        .approve_application(&ids.id, ids.application, "")
        .await
        .unwrap_err();
    assert_eq!(status(&err), 403);
    cloud
        .admin
        .deny_application(&ids.id, ids.application, "not now")
        .await
        .unwrap();
    cloud
        .owner
        .dismiss_application(&ids.id, ids.application, "")
        .await
        .unwrap();
    assert_eq!(
        cloud.owner.get_project(&ids.id).await.unwrap().state,
        "deleted"
    );

    let ids = cloud
        .owner
        .create_project(&spec.clone().name("again.example.org"))
        .await
        .unwrap();
    cloud
        .owner
        .cancel_application(&ids.id, ids.application, "changed my mind")
        .await
        .unwrap();
    let err = cloud
        .admin
        .approve_application(&ids.id, ids.application, "")
        .await
        .unwrap_err();
    assert_eq!(status(&err), 409);
    assert!(err.message().contains("Cannot approve"), "{err}");

    // A modification, approved, changes the project.
    let id = cloud
        .project("grow.example.org", MemberPolicy::Auto, (1, 1))
        .await;
    let change = ProjectSpec::default()
        .description("bigger")
        .resource("cyclades.vm", ResourcePolicy::new(3, 9));
    let ids = cloud.owner.modify_project(&id, &change).await.unwrap();
    assert_eq!(ids.id, id);
    cloud
        .admin
        .approve_application(&id, ids.application, "")
        .await
        .unwrap();
    let project = cloud.owner.get_project(&id).await.unwrap();
    assert_eq!(project.description.as_deref(), Some("bigger"));
    assert_eq!(project.resources["cyclades.vm"], ResourcePolicy::new(3, 9));
    assert_eq!(
        project.max_members,
        Some((1 << 63) - 1),
        "what the modification leaves out is unchanged"
    );

    // Invalid applications are refused with Astakos' reasons.
    let err = cloud
        .owner
        .create_project(&ProjectSpec::new("bad name", "2099-01-01"))
        .await
        .unwrap_err();
    assert_eq!(
        (status(&err), err.message()),
        (400, "Project name should be in domain format".to_string())
    );
    assert!(cloud
        .owner
        .application_action(&id, 1, "explode", "")
        .await
        .is_err());
}

#[tokio::test]
async fn project_admins_suspend_terminate_and_reinstate() {
    let cloud = Cloud::start().await;
    let id = cloud
        .project("ops.example.org", MemberPolicy::Auto, (2, 2))
        .await;
    cloud.member.join_project(&id).await.unwrap();
    cloud.member.set_default_project(&id).await.unwrap();
    assert_eq!(
        cloud
            .member
            .user_info()
            .await
            .unwrap()
            .default_project
            .as_deref(),
        Some(id.as_str())
    );

    let err = cloud.owner.suspend_project(&id, "").await.unwrap_err();
    assert_eq!(status(&err), 409);
    cloud.admin.suspend_project(&id, "audit").await.unwrap();
    let project = cloud.owner.get_project(&id).await.unwrap();
    assert_eq!(project.state, "suspended");
    assert!(project.deactivation_date.is_some());
    let quotas = cloud.member.get_quotas().await.unwrap();
    assert_eq!(quotas[&id]["cyclades.vm"].limit, 0);
    cloud.admin.unsuspend_project(&id, "").await.unwrap();
    cloud.admin.terminate_project(&id, "over").await.unwrap();
    assert_eq!(
        cloud.owner.get_project(&id).await.unwrap().state,
        "terminated"
    );
    let me = cloud.member.authenticate().await.unwrap();
    assert_eq!(
        me.access.token.unwrap().tenant.unwrap().id.as_deref(),
        Some(cloud.uuid(2).as_str()),
        "a terminated default project gives way to the system one"
    );
    cloud.admin.reinstate_project(&id, "").await.unwrap();
    assert_eq!(cloud.owner.get_project(&id).await.unwrap().state, "active");
    assert!(cloud
        .admin
        .project_action(&id, "explode", "")
        .await
        .is_err());
    let err = cloud
        .member
        .set_default_project("no-such")
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404);
}

#[tokio::test]
async fn memberships_are_requested_accepted_and_ended() {
    let cloud = Cloud::start().await;
    let id = cloud
        .project("club.example.org", MemberPolicy::Moderated, (1, 3))
        .await;

    let memb = cloud.member.join_project(&id).await.unwrap();
    let seen = cloud.member.get_membership(memb).await.unwrap();
    assert_eq!(seen.state, "requested");
    assert_eq!(seen.project, id);
    assert_eq!(seen.user, cloud.uuid(2));
    assert_eq!(seen.allowed_actions, ["cancel"]);
    assert!(seen.requested.is_some());
    let owners_view = cloud.owner.get_membership(memb).await.unwrap();
    assert_eq!(owners_view.allowed_actions, ["accept", "reject"]);

    cloud.member.cancel_membership(memb, "").await.unwrap();
    assert_eq!(
        cloud.member.join_project(&id).await.unwrap(),
        memb,
        "same membership"
    );
    cloud.owner.reject_membership(memb, "full").await.unwrap();
    cloud.member.join_project(&id).await.unwrap();
    cloud
        .owner
        .accept_membership(memb, "welcome")
        .await
        .unwrap();
    let seen = cloud.member.get_membership(memb).await.unwrap();
    assert_eq!(seen.state, "accepted");
    assert!(seen.accepted.is_some());
    assert!(
        seen.extra.contains_key("rejected"),
        "dates of other states are kept"
    );

    let listed = cloud.owner.get_memberships(Some(&id)).await.unwrap();
    assert_eq!(listed.len(), 1);
    let mine = cloud.member.get_memberships(None).await.unwrap();
    assert_eq!(mine.len(), 2, "system project and club");

    cloud.owner.remove_membership(memb, "bye").await.unwrap();
    let err = cloud.owner.remove_membership(memb, "").await.unwrap_err();
    assert_eq!(status(&err), 409);
    assert_eq!(err.message(), "This is not an accepted membership.");
    let again = cloud
        .owner
        .enroll_member(&id, "member@example.org")
        .await
        .unwrap();
    assert_eq!(again, memb);
    let err = cloud
        .owner
        .enroll_member(&id, "ghost@example.org")
        .await
        .unwrap_err();
    assert_eq!(
        (status(&err), err.message()),
        (409, "Unknown users: ghost@example.org".into())
    );
    let err = cloud.member.accept_membership(memb, "").await.unwrap_err();
    assert_eq!(status(&err), 409);
    assert!(cloud
        .member
        .membership_action(memb, "dance", "")
        .await
        .is_err());
    assert_eq!(
        status(&cloud.member.get_membership(9999).await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn service_user_lookups_by_one() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(2);
    assert_eq!(
        cloud.service.service_get_username(&uuid).await.unwrap(),
        "member@example.org"
    );
    assert_eq!(
        cloud
            .service
            .service_get_uuid("member@example.org")
            .await
            .unwrap(),
        uuid
    );
    assert!(cloud
        .service
        .service_get_uuid("ghost@example.org")
        .await
        .is_err());
}

/// kamaki's `astakos-project-reassign.py`: a container whose project is
/// out of quota is reassigned to another project (Pithos spoken over plain
/// HTTP here; the server half of the scenario needs the compute emulator).
#[tokio::test]
async fn example_reassign_a_container_when_its_project_is_out_of_quota() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(0);
    let quotas = &cloud.emu.state().quotas;
    quotas.set_member_limit(&uuid, &uuid, "pithos.diskspace", 1000);
    let pithos_url = cloud.owner.get_endpoint_url("object-store").await.unwrap();
    let pithos = Client::new(&format!("{pithos_url}/{uuid}"), "owner-token").unwrap();
    pithos
        .put("course_container")
        .success(&[201, 202])
        .send()
        .await
        .unwrap();
    let upload = |name: &'static str, size: usize| {
        let pithos = &pithos;
        async move {
            pithos
                .put(&format!("course_container/{name}"))
                .header("Content-Type", "application/octet-stream")
                .body(vec![1u8; size])
                .success(&[201])
                .send()
                .await
        }
    };
    upload("notes", 1000).await.unwrap();
    let err = upload("more", 10).await.unwrap_err();
    assert_eq!(err.status(), 413, "the system project is full");

    let project = cloud
        .owner
        .create_project(
            &ProjectSpec::new("storage.example.org", "2099-12-31T00:00:00Z")
                .join_policy(MemberPolicy::Auto)
                .resource("pithos.diskspace", ResourcePolicy::new(1 << 20, 1 << 30)),
        )
        .await
        .unwrap();
    cloud
        .admin
        .approve_application(&project.id, project.application, "")
        .await
        .unwrap();
    cloud.owner.join_project(&project.id).await.unwrap();

    // To what project is the container assigned?
    let info = pithos
        .head("course_container")
        .success(&[204])
        .send()
        .await
        .unwrap();
    let container_project = info
        .header("x-container-policy-project")
        .unwrap()
        .to_string();
    assert_eq!(container_project, uuid);
    let quotas_now = cloud.owner.get_quotas().await.unwrap();
    let disk = &quotas_now[&container_project]["pithos.diskspace"];
    assert!(disk.usage >= disk.limit, "out of quota: {disk:?}");

    // Reassign it.
    pithos
        .post("course_container")
        .flag("update")
        .header("X-Container-Policy-Project", &project.id)
        .success(&[202, 204])
        .send()
        .await
        .unwrap();
    let quotas_now = cloud.owner.get_quotas().await.unwrap();
    assert_eq!(quotas_now[&uuid]["pithos.diskspace"].usage, 0);
    assert_eq!(quotas_now[&project.id]["pithos.diskspace"].usage, 1000);
    upload("more", 10).await.unwrap();
    assert_eq!(
        cloud.owner.get_quotas().await.unwrap()[&project.id]["pithos.diskspace"].usage,
        1010
    );
}

/// kamaki's `compute-reassign-resize.py` and `astakos-project-reassign.py`
/// for servers: the system project has no VM left, so a server moves to a
/// project the user joined, which frees room for the next one.
#[tokio::test]
async fn example_reassign_a_server_when_its_project_is_out_of_quota() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(0);
    cloud
        .emu
        .state()
        .quotas
        .set_member_limit(&uuid, &uuid, "cyclades.vm", 1);
    let compute_url = cloud
        .owner
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await
        .unwrap();
    let compute = CycladesComputeClient::new(&compute_url, "owner-token").unwrap();
    let mut flavors = compute
        .list_flavors(true, &ListFlavorsOptions::default())
        .await
        .unwrap();
    flavors.sort_by_key(|f| (f.vcpus, f.ram, f.disk));
    let flavor = flavors[0].id.clone();
    let image = compute
        .list_images(true, &ListImagesOptions::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.status == "ACTIVE")
        .unwrap()
        .id;
    let wait = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(20));
    let first = compute
        .create_server("first", &flavor, &image, &CreateServerOptions::default())
        .await
        .unwrap();
    compute
        .wait_server_until(&first.id, "ACTIVE", wait, |_| {})
        .await
        .unwrap();
    let err = compute
        .create_server("second", &flavor, &image, &CreateServerOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
    let quotas = cloud.owner.get_quotas().await.unwrap();
    let vms = &quotas[&uuid]["cyclades.vm"];
    assert_eq!((vms.usage, vms.limit), (1, 1));

    // Not to a project one is not a member of.
    let project = cloud
        .project("servers.example.org", MemberPolicy::Auto, (2, 4))
        .await;
    let err = compute
        .reassign_server(&first.id, &project)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400);
    assert_eq!(
        err.message(),
        format!("User {uuid} not in project {project}")
    );
    // A member gets the project's grants; resources it does not grant
    // (CPU, RAM, disk here) leave no room, as in Astakos.
    cloud.owner.join_project(&project).await.unwrap();
    let err = compute
        .reassign_server(&first.id, &project)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
    let more = ProjectSpec::default()
        .resource("cyclades.cpu", ResourcePolicy::new(64, 64))
        .resource("cyclades.ram", ResourcePolicy::new(1 << 40, 1 << 40))
        .resource("cyclades.disk", ResourcePolicy::new(1 << 40, 1 << 40));
    let change = cloud.owner.modify_project(&project, &more).await.unwrap();
    cloud
        .admin
        .approve_application(&project, change.application, "")
        .await
        .unwrap();
    compute.reassign_server(&first.id, &project).await.unwrap();
    let quotas = cloud.owner.get_quotas().await.unwrap();
    assert_eq!(quotas[&uuid]["cyclades.vm"].usage, 0);
    assert_eq!(quotas[&project]["cyclades.vm"].usage, 1);
    assert!(quotas[&project]["cyclades.cpu"].usage > 0);
    let details = compute.get_server_details(&first.id).await.unwrap();
    assert_eq!(details.tenant_id.as_deref(), Some(project.as_str()));

    // Room again in the system project.
    let second = compute
        .create_server("second", &flavor, &image, &CreateServerOptions::default())
        .await
        .unwrap();
    compute
        .wait_server_until(&second.id, "ACTIVE", wait, |_| {})
        .await
        .unwrap();
}
