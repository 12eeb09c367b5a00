"""`data-platform:azure` settings: the seed's defaults per environment, and bad values fail early."""

from __future__ import annotations

import pytest

from program import load_settings
from settings.errors import SettingsError

CLOUD = "azure"
SECRET = "https://dp-certs.vault.azure.net/secrets/data-platform-tls"
VAULT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/certs/providers/Microsoft.KeyVault/vaults/dp-certs"
APPGW = {"loadBalancer": "appgw", "appGatewayCertificateSecretId": SECRET, "appGatewayCertificateVaultId": VAULT}


def load(env: str, azure: dict | None = None):
    raw = {"data-platform:cloud": CLOUD, "data-platform:environment": env, "data-platform:acmeEmail": "ops@example.com"}
    if azure is not None:
        raw["data-platform:azure"] = azure
    return load_settings(raw, "test")


def test_prod_defaults_are_the_seeds_numbers():
    a = load("prod").azure
    assert a.vnet_cidr == "10.0.0.0/16" and a.zones == ("1", "2", "3")
    assert a.node_size == "Standard_D8s_v5"  # 8 vCPU / 32 GiB, like m5.2xlarge
    assert (a.node_min_count, a.node_max_count, a.node_initial_count) == (3, 10, 5)
    assert a.api_server_public is False and a.authorized_ip_ranges == ()
    assert (a.db_version, a.db_sku, a.db_tier, a.db_storage_gb) == ("16", "Standard_E4ds_v5", "MemoryOptimized", 128)
    assert a.db_high_availability == "ZoneRedundant" and a.db_geo_redundant_backup is True and a.db_backup_retention_days == 30
    assert (a.maintenance_day, a.maintenance_start_hour) == ("Sunday", 4)
    assert (a.db_shared_buffers, a.db_effective_cache_size, a.db_work_mem, a.db_maintenance_work_mem, a.db_max_connections) == ("4Gi", "12Gi", "64Mi", "1Gi", 200)
    assert a.lake_replication == "Standard_GZRS" and a.bronze_cold_days == 90
    assert a.key_vault_purge_protection is True and a.acr_untagged_retention_days == 14 and a.log_retention_days == 365


def test_staging_is_smaller_and_destroyable():
    a = load("staging").azure
    assert a.node_max_count < 10 and a.node_size != "Standard_D8s_v5"
    assert a.db_high_availability == "Disabled" and a.db_geo_redundant_backup is False
    assert a.key_vault_purge_protection is False and a.lake_replication == "Standard_ZRS"


@pytest.mark.parametrize(("azure", "key", "allowed"), [
    ({"apiServerPublic": True}, "azure.authorizedIpRanges", "at least one CIDR"),
    ({"apiServerPublic": True, "authorizedIpRanges": ["0.0.0.0/0"]}, "azure.authorizedIpRanges", "not 0.0.0.0/0"),
    ({"authorizedIpRanges": ["203.0.113.0/24"]}, "azure.authorizedIpRanges", "only apply to a public API server"),
    ({"nodeInitialCount": 20}, "azure.nodeInitialCount", "from nodeMinCount"),
    ({"vnetCidr": "10.0.0.0/24"}, "azure.vnetCidr", "/16 to /20"),
    ({"dbStorageGb": 100}, "azure.dbStorageGb", "one of 32, 64, 128"),
    ({"dbTier": "Burstable", "dbSku": "Standard_B2ms"}, "azure.dbHighAvailability", "burstable servers have no high availability"),
    ({"zones": ["1"]}, "azure.dbHighAvailability", "needs a second zone"),
    ({"loadBalancer": "appgw"}, "azure.appGatewayCertificateSecretId", "required when loadBalancer is appgw"),
    ({"loadBalancer": "appgw", "appGatewayCertificateSecretId": SECRET}, "azure.appGatewayCertificateVaultId", "required when loadBalancer is appgw"),
    ({"appGatewayCertificateSecretId": "https://certs.vault.azure.net/keys/tls"}, "azure.appGatewayCertificateSecretId", "a Key Vault secret id"),
    ({"appGatewayCertificateVaultId": "/subscriptions/x/vaults/certs"}, "azure.appGatewayCertificateVaultId", "a Key Vault resource id"),
    ({"loadBalancer": "appgw", "appGatewayCertificateSecretId": SECRET, "appGatewayCertificateVaultId": VAULT.replace("dp-certs", "other-vault")},
     "azure.appGatewayCertificateVaultId", "the vault of appGatewayCertificateSecretId (dp-certs)"),
    ({"appGatewayMinCapacity": 12, "appGatewayMaxCapacity": 10}, "azure.appGatewayMinCapacity", "at most appGatewayMaxCapacity (10)"),
    ({"loadBalancer": "agic"}, "azure.loadBalancer", "standard, appgw"),
    ({"nodeSize": "m5.2xlarge"}, "azure.nodeSize", "an Azure VM size"),
    ({"dremioSecretEndDate": "2027/06/30"}, "azure.dremioSecretEndDate", "YYYY-MM-DD"),
    ({"dremioSecretEndDate": "2027-02-30"}, "azure.dremioSecretEndDate", "a real calendar date"),
])
def test_bad_values_fail_in_one_line_naming_file_key_and_what_is_allowed(azure, key, allowed):
    with pytest.raises(SettingsError) as e:
        load("prod", azure)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("Pulumi.test.yaml: data-platform:" + key) and allowed in msg


def test_appgw_needs_a_public_ca_behind_it_and_defaults_to_lets_encrypt_prod():
    assert load("staging", APPGW).tls_issuer == "letsencrypt-prod"  # not staging's default: the gateway would refuse its root
    raw = {"data-platform:cloud": CLOUD, "data-platform:environment": "staging", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:tlsIssuer": "selfsigned", "data-platform:azure": APPGW}
    with pytest.raises(SettingsError) as e:
        load_settings(raw, "test")
    assert "\n" not in str(e.value) and "data-platform:tlsIssuer = 'selfsigned'" in str(e.value) and "public CA" in str(e.value)


def test_appgw_accepts_a_versioned_secret_id_and_a_vault_id_of_any_case():
    a = load("prod", {**APPGW, "appGatewayCertificateSecretId": SECRET + "/0123456789abcdef0123456789abcdef",
                      "appGatewayCertificateVaultId": VAULT.replace("Microsoft.KeyVault", "microsoft.keyvault")}).azure
    assert a.load_balancer == "appgw" and (a.app_gateway_min_capacity, a.app_gateway_max_capacity) == (2, 10)


def test_dremios_secret_end_date_takes_a_quoted_or_an_unquoted_yaml_date():
    import datetime

    assert load("prod").azure.dremio_secret_end_date is None  # Entra's default: two years after issue
    assert load("prod", {"dremioSecretEndDate": "2027-06-30"}).azure.dremio_secret_end_date == "2027-06-30"
    assert load("prod", {"dremioSecretEndDate": datetime.date(2027, 6, 30)}).azure.dremio_secret_end_date == "2027-06-30"


def test_soft_delete_is_on_by_default_and_zero_turns_it_off_everywhere_it_is_applied():
    """Dremio's docs ask for blob soft delete off on an Azure Storage source: azure.softDeleteDays 0
    is the opt-out; the accounts' BlobServiceProperties then disable it and the recovery point says
    deleted blobs are gone."""
    from clouds.azure.datalake import soft_delete
    from settings import recovery

    assert load("prod").azure.soft_delete_days == 90 and soft_delete(90) == {"enabled": True, "days": 90}
    assert soft_delete(0) == {"enabled": False}
    off = load("prod", {"softDeleteDays": 0})
    assert off.azure.soft_delete_days == 0
    assert "soft delete is off" in recovery.outputs(off)["objectStore"]["how"]
    assert "90 day(s)" in recovery.outputs(load("prod"))["objectStore"]["how"]
    with pytest.raises(SettingsError, match="softDeleteDays"):
        load("prod", {"softDeleteDays": -1})
