"""ALFWorld (text, TextWorld engine) behind the empo2 bridge.

Install: `pip install alfworld[full]` then `alfworld-download` (sets up $ALFWORLD_DATA); pass the
base config with --config (alfworld's configs/base_config.yaml).
Mapping: observation = the text observation (reset: the initial observation without the task
line); task description = the "Your task is to: ..." line; admissible actions =
infos["admissible_commands"]; score = 100 if won else 0 (ALFWorld has no partial credit); reward
= change of score; done = won or the step limit (--step-limit, default 50). Tasks: the six ALFWorld
task types; `variant` selects the game file index within the split given by --split
(eval_in_distribution / eval_out_of_distribution / train).
"""
import argparse

from bridge_common import scalar_info, serve


class AlfWorldAdapter:
    def __init__(self, config, split, step_limit):
        import yaml
        from alfworld.agents.environment import get_environment
        with open(config) as f:
            cfg = yaml.safe_load(f)
        self.env = get_environment(cfg["env"]["type"])(cfg, train_eval=split).init_env(batch_size=1)
        self.step_limit = step_limit
        self.steps = 0
        self.score = 0.0

    def tasks(self):
        return [{"task": "alfworld", "split": "test", "variants": list(range(134))}]

    def reset(self, task, variant, seed):
        self.env.seed(seed)
        for _ in range(variant + 1):  # games are served in order; skip to the variant
            obs, infos = self.env.reset()
        text = obs[0]
        head, _, goal = text.partition("Your task is to: ")
        self.steps = 0
        self.score = 0.0
        return {"observation": head.strip(), "taskDescription": goal.strip(),
                "admissibleActions": list(infos["admissible_commands"][0]), "score": 0.0,
                "info": scalar_info({"gamefile": str(infos.get("extra.gamefile", [""])[0])})}

    def step(self, action):
        obs, _scores, dones, infos = self.env.step([action])
        self.steps += 1
        won = bool(infos["won"][0])
        score = 100.0 if won else 0.0
        reward = score - self.score
        self.score = score
        done = won or bool(dones[0]) or self.steps >= self.step_limit
        return {"observation": obs[0], "reward": reward, "score": score, "done": done,
                "admissibleActions": [] if done else list(infos["admissible_commands"][0]),
                "info": scalar_info({"won": won, "steps": self.steps})}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--config", required=True)
    p.add_argument("--split", default="eval_out_of_distribution")
    p.add_argument("--step-limit", type=int, default=50)
    a = p.parse_args()
    serve(AlfWorldAdapter(a.config, a.split, a.step_limit))
