// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module of the VM bed: makes a mac80211_hwsim radio go through the driver's own
 * recovery path, ieee80211_restart_hw(), as a firmware crash of a real driver would.
 *
 *	insmod evl_restart_hw.ko
 *	echo wlan0 > /sys/module/evl_restart_hw/parameters/restart	# once per restart
 *
 * Only radios of mac80211_hwsim are accepted, so it cannot touch real hardware.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/string.h>
#include <net/cfg80211.h>
#include <net/mac80211.h>
#include <net/net_namespace.h>

static char last[IFNAMSIZ];
static unsigned int count;

static int restart_set(const char *val, const struct kernel_param *kp)
{
	char name[IFNAMSIZ];
	struct net_device *dev;
	struct wiphy *wiphy;
	int rc = 0;

	if (strscpy(name, val, sizeof(name)) < 0)
		return -EINVAL;
	strim(name);
	name[strcspn(name, "\n")] = 0;
	dev = dev_get_by_name(&init_net, name);
	if (!dev)
		return -ENODEV;
	wiphy = dev->ieee80211_ptr ? dev->ieee80211_ptr->wiphy : NULL;
	if (!wiphy || !wiphy_dev(wiphy) || !wiphy_dev(wiphy)->driver ||
	    strcmp(dev_driver_string(wiphy_dev(wiphy)), "mac80211_hwsim")) {
		rc = -EOPNOTSUPP; /* not a hwsim radio */
		goto out;
	}
	/* mac80211's wiphy private area is struct ieee80211_local, which begins with hw */
	ieee80211_restart_hw((struct ieee80211_hw *)wiphy_priv(wiphy));
	strscpy(last, name, sizeof(last));
	count++;
	pr_info("evl_restart_hw: %s (%s): restart %u requested\n", name, wiphy_name(wiphy), count);
out:
	dev_put(dev);
	return rc;
}

static int restart_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s %u\n", last[0] ? last : "-", count);
}

static const struct kernel_param_ops restart_ops = {
	.set = restart_set,
	.get = restart_get,
};
module_param_cb(restart, &restart_ops, NULL, 0600);
MODULE_PARM_DESC(restart, "write an interface name: ieee80211_restart_hw() on its hwsim radio");

MODULE_DESCRIPTION("evl VM test bed: ieee80211_restart_hw() on a mac80211_hwsim radio");
MODULE_LICENSE("GPL");
