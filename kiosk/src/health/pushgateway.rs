//! Push for kiosks behind NAT: every interval the same exposition text as `/metrics` goes to a
//! Prometheus Pushgateway with `PUT /metrics/job/<job>/instance/<instance>` (PUT replaces the
//! group, so a metric the kiosk stopped exporting does not linger). While the gateway is away
//! the kiosk backs off (doubling up to ten intervals) and logs the outage once, not every try.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Result};

use super::endpoint::SharedSampler;

#[derive(Debug, Clone)]
pub struct PushPlan {
    /// `http://gateway:9091`
    pub url: String,
    pub job: String,
    pub instance: String,
    pub interval: Duration,
}

impl PushPlan {
    /// The group's URL (label values path-escaped).
    pub fn group_url(&self) -> Result<url::Url> {
        let mut url = url::Url::parse(&self.url)?;
        url.path_segments_mut()
            .map_err(|_| anyhow::anyhow!("{}: not a base URL", self.url))?
            .pop_if_empty()
            .extend(["metrics", "job", &self.job, "instance", &self.instance]);
        Ok(url)
    }
}

/// One push of the current metrics.
pub async fn push_once(client: &reqwest::Client, plan: &PushPlan, body: String) -> Result<()> {
    let r = client
        .put(plan.group_url()?)
        .header("content-type", "text/plain; version=0.0.4")
        .body(body)
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("pushgateway answered {}: {}", r.status(), r.text().await.unwrap_or_default());
    }
    Ok(())
}

/// The wait after `failures` failed pushes in a row.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    interval.saturating_mul(1 << failures.min(4)).min(interval * 10)
}

/// Pushes on its own thread until the process ends.
pub fn spawn(plan: PushPlan, sampler: Arc<SharedSampler>) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("metrics-push".into())
        .spawn(move || {
            crate::observe::background_priority();
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            let Ok(client) = crate::sync::transport::http_client() else { return };
            let mut failures = 0u32;
            loop {
                let body = sampler.metrics_text().as_str().to_owned();
                match rt.block_on(push_once(&client, &plan, body)) {
                    Ok(()) => {
                        if failures > 0 {
                            tracing::info!(url = %plan.url, "pushgateway reachable again");
                        }
                        failures = 0;
                    }
                    Err(e) => {
                        if failures == 0 {
                            tracing::warn!(url = %plan.url, "metrics push failed (backing off): {e:#}");
                        }
                        failures = failures.saturating_add(1);
                    }
                }
                std::thread::sleep(backoff(plan.interval, failures));
            }
        })
        .expect("spawning the metrics push thread")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_url_and_backoff() {
        let plan = PushPlan {
            url: "http://gw:9091/".into(),
            job: "kiosk".into(),
            instance: "榆林 01".into(),
            interval: Duration::from_secs(60),
        };
        assert_eq!(
            plan.group_url().unwrap().as_str(),
            "http://gw:9091/metrics/job/kiosk/instance/%E6%A6%86%E6%9E%97%2001"
        );
        assert_eq!(backoff(plan.interval, 0), Duration::from_secs(60));
        assert_eq!(backoff(plan.interval, 2), Duration::from_secs(240));
        assert_eq!(backoff(plan.interval, 30), Duration::from_secs(600));
    }
}
