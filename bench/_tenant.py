"""The simulator's generated tenant (``slotguard.sim.generate``) as files: the scenario and
a rules file whose teams keep the blocks the generator put customer meetings over."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slotguard.sim.generate import generate_scenario


@dataclass(frozen=True)
class GeneratedTenant:
    scenario_file: Path
    rules_file: Path
    teams: list[dict[str, Any]]  # the generator's meta.teams

    @property
    def sellers(self) -> list[str]:
        return [upn for team in self.teams for upn in team["sellers"]]


def generated_tenant(sellers: int, seed: int, folder: Path, *,
                     groups: bool = True) -> GeneratedTenant:
    """``groups``: teams name their Entra group (read at every scan, cached by the
    adapter), as a large organisation would; otherwise the rules list every seller."""
    scenario = generate_scenario(sellers, seed=seed)
    teams = scenario["meta"]["teams"]
    folder.mkdir(parents=True, exist_ok=True)
    scenario_file, rules_file = folder / "scenario.json", folder / "slotguard.toml"
    scenario_file.write_text(json.dumps(scenario))
    rules_file.write_text(rules_text(teams, groups=groups))
    return GeneratedTenant(scenario_file, rules_file, teams)


def rules_text(teams: list[dict[str, Any]], *, groups: bool = True) -> str:
    lines = ["[organization]", 'internal_domains = ["contoso.com"]',
             'fallback_time_zone = "Europe/Stockholm"', ""]
    for team in teams:
        lines += ["[[teams]]", f'name = "{team["name"]}"', f'manager = "{team["manager"]}"']
        if groups:
            lines.append(f'group_id = "{team["groupId"]}"')
        else:
            lines.append("sellers = [" + ", ".join(f'"{s}"' for s in team["sellers"]) + "]")
        days = ", ".join(f'"{d[:3]}"' for d in team["blockDays"])
        lines += ["[[teams.blocks]]", f"days = [{days}]", f'start = "{team["blockStart"]}"',
                  f'end = "{team["blockEnd"]}"', ""]
    lines += ["[follow_up]", "enabled = true", 'list_name = "Prospecting follow-up"', ""]
    return "\n".join(lines)
