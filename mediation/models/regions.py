from __future__ import annotations

from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from mediation.choices import RegionKind, RegionLevel
from mediation.scoping import ScopedQuerySet

# Sent inside the transaction that moves a region: receivers rewrite the paths they copied (old → new prefix).
region_moved = Signal()


def rewritten_path(field: str, old_prefix: str, new_prefix: str):
    """An expression that replaces `old_prefix` by `new_prefix` at the start of `field` (for UPDATE)."""
    return Concat(Value(new_prefix), Substr(F(field), len(old_prefix) + 1))


class RegionQuerySet(ScopedQuerySet):
    def subtree(self, region: Region, include_self: bool = True) -> RegionQuerySet:
        qs = self.filter(path__startswith=region.path)
        return qs if include_self else qs.exclude(pk=region.pk)

    def ancestors_of(self, region: Region, include_self: bool = False) -> RegionQuerySet:
        paths = region.ancestor_paths(include_self=include_self)
        return self.filter(path__in=paths).order_by("level")

    def at_level(self, level: int) -> RegionQuerySet:
        return self.filter(level=level)

    def scope_q(self, scope):
        return scope.region_q("path")

    def full_names(self, paths) -> dict[str, str]:
        """The full name below the district ("新山村街道 / 甲社区 / 第一网格") of each region path, in one query
        (Region.full_name asks the database once per region)."""
        paths = set(paths)
        ids = {int(p) for path in paths for p in path.strip("/").split("/") if p}
        names = dict(
            Region.objects.filter(pk__in=ids, level__gt=RegionLevel.DISTRICT).values_list("pk", "name")
        )
        return {
            path: " / ".join(names[int(p)] for p in path.strip("/").split("/") if p and int(p) in names)
            for path in paths
        }


class Region(models.Model):
    """A node of the governance tree (行政区划/治理层级): city → district → street/town → community/village → grid.

    `path` is a materialized path of primary keys ("/1/2/7/"), so a subtree is one indexed prefix query.
    """

    code = models.CharField(
        _("division code"),
        max_length=20,
        unique=True,
        help_text=_("统计用区划代码 where one exists; grids get the community code plus a sequence."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(_("path"), max_length=255, editable=False, default="")
    urban_rural_code = models.CharField(
        _("urban-rural class"), max_length=3, blank=True, help_text=_("城乡分类代码, e.g. 111 or 220.")
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Set when the real name and code are not known.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        # Division-code order: siblings as people read them (a street's code extends its district's, a community's
        # its street's, so this is also the tree's order). The path is made of primary keys: it sorts "/1/2/10/"
        # before "/1/2/9/", i.e. siblings in the order they were created.
        ordering = ["code"]
        indexes = [
            models.Index(fields=["path"], name="region_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "path"], name="region_level_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(level__gt=RegionLevel.CITY),
                name="region_root_is_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is None:
                # The path is made of primary keys, so it is known only after the insert.
                super().save(*args, **kwargs)
                self.path = self._computed_path()
                Region.objects.filter(pk=self.pk).update(path=self.path)
                return
            old_path, self.path = self.path, self._computed_path()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "parent" in update_fields:
                kwargs["update_fields"] = {*update_fields, "path"}
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # A moved region takes its whole subtree along, and every copy of a path in it (a dispute's
                # region_path) is rewritten in the same transaction by the app that keeps it.
                Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=rewritten_path("path", old_path, self.path)
                )
                region_moved.send(sender=Region, old_path=old_path, new_path=self.path)

    def _computed_path(self) -> str:
        return f"{self.parent.path if self.parent_id else '/'}{self.pk}/"

    def ancestor_paths(self, include_self: bool = False) -> list[str]:
        ids = [p for p in self.path.strip("/").split("/") if p]
        if not include_self:
            ids = ids[:-1]
        return ["/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids))]

    def ancestors(self, include_self: bool = False) -> RegionQuerySet:
        return Region.objects.ancestors_of(self, include_self=include_self)

    def descendants(self, include_self: bool = False) -> RegionQuerySet:
        return Region.objects.subtree(self, include_self=include_self)

    def is_within(self, other: Region) -> bool:
        return self.path.startswith(other.path)

    @property
    def full_name(self) -> str:
        """The name with its ancestors below the district, e.g. 跃进村街道 / 胜利社区."""
        names = [r.name for r in self.ancestors(include_self=True) if r.level > RegionLevel.DISTRICT]
        return " / ".join(names) or self.name
