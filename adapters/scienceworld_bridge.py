"""ScienceWorld behind the empo2 bridge. Needs `pip install scienceworld` and Java 8+.

Mapping: observation = env.step's observation (reset: env.look()); task description =
env.get_task_description(); admissible actions = env.get_valid_action_object_combinations() (capped
by --max-actions, default 200); score = info["score"] (already 0-100; -100 on a failed task is
clamped to 0 and reported as info.failed); reward = change of score; done = isCompleted or the
step limit (--step-limit, default 100). Variants: the paper's split is train = the first 5 train
variants of each task, test = 20 of env.get_variations_test(); `tasks` lists both.
"""
import argparse

from bridge_common import clamp_score, scalar_info, serve


class ScienceWorldAdapter:
    def __init__(self, jar=None, step_limit=100, max_actions=200, simplifications="easy"):
        from scienceworld import ScienceWorldEnv  # imported here so --help works without it
        self.env = ScienceWorldEnv("", jar, envStepLimit=step_limit)
        self.step_limit = step_limit
        self.max_actions = max_actions
        self.simplifications = simplifications
        self.steps = 0
        self.score = 0.0

    def tasks(self):
        out = []
        for name in self.env.get_task_names():
            self.env.load(name, 0, self.simplifications)
            train = list(self.env.get_variations_train())[:5]
            test = list(self.env.get_variations_test())[:20]
            out.append({"task": name, "split": "train", "variants": train})
            out.append({"task": name, "split": "test", "variants": test})
        return out

    def _actions(self):
        return list(self.env.get_valid_action_object_combinations())[: self.max_actions]

    def reset(self, task, variant, seed):
        self.env.load(task, variant, self.simplifications, generateGoldPath=False)
        obs, info = self.env.reset()
        self.steps = 0
        self.score = clamp_score(info.get("score", 0))
        return {"observation": obs, "taskDescription": self.env.get_task_description(),
                "admissibleActions": self._actions(), "score": self.score,
                "info": scalar_info({"seed_used": False, "variant": variant})}

    def step(self, action):
        obs, _reward, done, info = self.env.step(action)
        self.steps += 1
        raw = info.get("score", 0)
        score = clamp_score(raw)
        reward = score - self.score
        self.score = score
        done = bool(done) or self.steps >= self.step_limit
        return {"observation": obs, "reward": reward, "score": score, "done": done,
                "admissibleActions": [] if done else self._actions(),
                "info": scalar_info({"rawScore": raw, "failed": raw is not None and raw < 0,
                                     "steps": self.steps, "moves": info.get("moves")})}

    def close(self):
        self.env.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--jar", default=None)
    p.add_argument("--step-limit", type=int, default=100)
    p.add_argument("--max-actions", type=int, default=200)
    p.add_argument("--simplifications", default="easy")
    a = p.parse_args()
    serve(ScienceWorldAdapter(a.jar, a.step_limit, a.max_actions, a.simplifications))
