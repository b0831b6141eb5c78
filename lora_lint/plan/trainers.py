"""Trainer configs written from a plan: kohya sd-scripts, ai-toolkit, OneTrainer, musubi-tuner.

Each writer is a `TrainerConfig` (see `lora_lint.protocols`) registered
through the `lora_lint_trainer_configs` hook, like a plugin's. `files(plan,
out)` returns file name -> text for the folder `out` and writes nothing, so
what a writer makes can be tested byte for byte. Key names and value types are the trainers' own
(kohya's dataset schema rejects unknown keys and an int where a float is
due). Paths are absolute: trainers resolve relative ones against wherever
they are started from.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w
import yaml

from ..errors import LoraLintError
from .recommend import Plan

SET_ME = "SET-ME"  # a path only the user knows: the trainer stops on it with a clear "not found"


def _tags(plan: Plan) -> bool:
    """Whether captions are tags (shuffled, trigger kept first)."""
    return tuple(plan.model.get("caption_style", ("natural",)))[0] == "tags"


def _name(plan: Plan) -> str:
    triggers = [f.trigger for f in plan.folders if f.trigger]
    return (triggers[0] if triggers else plan.survey.root.name).replace(" ", "_")


def _weights(plan: Plan) -> str:
    return plan.model.get("weights") or SET_ME


def _refuse(trainer: str, plan: Plan, supported) -> None:
    """Raise unless the trainer trains this model and reads its clips (trainers glob video files)."""
    if plan.model.name not in supported:
        names = ", ".join(supported)
        raise LoraLintError(f"{trainer} does not train {plan.model.get('title', plan.model.name)} (it trains {names})")
    for entry in plan.folders:
        if entry.folder.media == "frames":
            raise LoraLintError(f"{trainer} reads video files, not folders of frames: make each clip of '{entry.folder.relative}' an .mp4 (ffmpeg -framerate FPS -i %03d.png clip.mp4)")


def _with_header(plan: Plan, trainer: str, run: str, body: str, notes: tuple[str, ...] = ()) -> str:
    """The file's text: what wrote it, how to run it, what is left to fill in."""
    lines = [f"# {trainer} config written by `lora-lint plan` for {plan.lora.name} LoRA on {plan.model.name}.", f"# {run}", *(f"# {note}" for note in notes)]
    if SET_ME in body:
        lines.append(f"# Replace every {SET_ME} with the path of that file on this machine.")
    return "\n".join(lines) + "\n" + body


class Kohya:
    """kohya-ss/sd-scripts: `kohya_dataset.toml` (--dataset_config) and
    `kohya_training.toml` (--config_file)."""

    name = "kohya"
    title = "kohya sd-scripts"
    SCRIPTS = {"sd15": "train_network.py", "sdxl": "sdxl_train_network.py", "pony": "sdxl_train_network.py", "flux": "flux_train_network.py", "sd3": "sd3_train_network.py"}
    LORA_MODULES = {"flux": "networks.lora_flux", "sd3": "networks.lora_sd3"}
    LYCORIS = {"loha": ["algo=loha"], "lokr": ["algo=lokr"], "boft": ["algo=boft"], "dora": ["algo=lora", "dora_wd=True"]}
    TEXT_ENCODERS = {"flux": ("clip_l", "t5xxl", "ae"), "sd3": ("clip_l", "clip_g", "t5xxl")}

    def files(self, plan: Plan, out: Path) -> dict[str, str]:
        _refuse(self.title, plan, self.SCRIPTS)
        dataset_file = out / "kohya_dataset.toml"
        run = f"Run: accelerate launch {self.SCRIPTS[plan.model.name]} --config_file kohya_training.toml"
        return {
            "kohya_dataset.toml": _with_header(plan, self.title, "Read through kohya_training.toml's dataset_config.", tomli_w.dumps(self.dataset(plan))),
            "kohya_training.toml": _with_header(plan, self.title, run, tomli_w.dumps(self.training(plan, str(dataset_file)))),
        }

    def dataset(self, plan: Plan) -> dict[str, Any]:
        width, height = plan.value("resolution")
        resolution = width if width == height else [width, height]
        general = {
            "caption_extension": plan.survey.settings.caption_extension,
            "shuffle_caption": _tags(plan),
            "keep_tokens": 1 if _tags(plan) else 0,
            "resolution": resolution,
            "batch_size": plan.value("batch"),
            "enable_bucket": True,
            "min_bucket_reso": min(256, min(width, height)),
            "max_bucket_reso": max(1024, max(width, height) * 2 // 64 * 64),
            "bucket_reso_steps": 64,
            "bucket_no_upscale": True,
        }
        subsets = []
        for entry in plan.folders:
            subset: dict[str, Any] = {"image_dir": str(entry.folder.path), "num_repeats": entry.repeats}
            if entry.words:
                subset["class_tokens"] = entry.words
            if entry.folder.subset == "reg":
                subset["is_reg"] = True
            subsets.append(subset)
        return {"general": general, "datasets": [{"subsets": subsets}]}

    def network(self, plan: Plan) -> dict[str, Any]:
        variant = plan.value("variant", "lora")
        model = plan.model.name
        if variant == "lora":
            return {"network_module": self.LORA_MODULES.get(model, "networks.lora")}
        if variant == "oft" and model in ("sd15", "sdxl", "pony", "flux"):
            return {"network_module": "networks.oft_flux" if model == "flux" else "networks.oft"}
        if variant in self.LYCORIS and model in ("sd15", "sdxl", "pony"):
            return {"network_module": "lycoris.kohya", "network_args": list(self.LYCORIS[variant])}
        raise LoraLintError(f"{self.title}: no {variant} network for {plan.model.get('title')} that lora-lint knows to work; plan with --variant lora")

    def training(self, plan: Plan, dataset_file: str) -> dict[str, Any]:
        model = plan.model.name
        # kohya's Flux and SD3 scripts read single files, not a Hugging Face repository
        arguments: dict[str, Any] = {"pretrained_model_name_or_path": SET_ME if model in self.TEXT_ENCODERS else _weights(plan)}
        for encoder in self.TEXT_ENCODERS.get(model, ()):
            arguments[encoder] = SET_ME
        network = {**self.network(plan), "network_dim": plan.value("rank")}
        if plan.value("variant") not in ("oft", "boft"):  # OFT reads alpha as a constraint: its own default is right
            network["network_alpha"] = float(plan.value("alpha"))
        if model in self.TEXT_ENCODERS:
            network["network_train_unet_only"] = True
        warmup = plan.value("warmup_steps")
        training = {
            "max_train_epochs": plan.value("epochs"),
            "gradient_accumulation_steps": plan.value("accumulation"),
            "mixed_precision": plan.value("precision"),
            "save_precision": plan.value("precision"),
            "optimizer_type": plan.value("optimizer"),
            "learning_rate": plan.value("learning_rate"),
            "lr_scheduler": plan.value("scheduler"),
            **({"lr_warmup_steps": warmup} if warmup else {}),
            "cache_latents": True,
            "seed": 42,
        }
        if plan.value("gradient_checkpointing"):
            training["gradient_checkpointing"] = True
        training[plan.value("attention")] = True
        if model in self.TEXT_ENCODERS:
            training["cache_text_encoder_outputs"] = True
        if model == "flux":
            training.update({"guidance_scale": 1.0, "timestep_sampling": "shift", "model_prediction_type": "raw", "discrete_flow_shift": 3.0})
            if plan.value("gradient_checkpointing"):
                training["fp8_base"] = True
        saving = {
            "output_dir": str(plan.survey.root / "output"),
            "output_name": _name(plan),
            "save_model_as": "safetensors",
            "save_every_n_epochs": 1,
        }
        return {
            "model_arguments": arguments,
            "dataset_arguments": {"dataset_config": dataset_file},
            "network_arguments": network,
            "training_arguments": training,
            "saving_arguments": saving,
        }


class AiToolkit:
    """ostris/ai-toolkit: one YAML job (`python run.py ai-toolkit.yaml`)."""

    name = "ai-toolkit"
    title = "ai-toolkit"
    ARCH = {"sd15": "sd1", "sdxl": "sdxl", "pony": "sdxl", "flux": "flux", "sd3": "sd3", "wan": "wan21"}
    NETWORKS = {"lora": "lora", "lokr": "lokr"}

    def files(self, plan: Plan, out: Path) -> dict[str, str]:
        _refuse(self.title, plan, self.ARCH)
        variant = plan.value("variant", "lora")
        if variant not in self.NETWORKS:
            raise LoraLintError(f"ai-toolkit trains {' and '.join(self.NETWORKS)} networks, not {variant}; plan with --variant lora")
        return {"ai-toolkit.yaml": _with_header(plan, self.title, "Run: python run.py ai-toolkit.yaml", yaml.safe_dump(self.job(plan), sort_keys=False, allow_unicode=True))}

    def job(self, plan: Plan) -> dict[str, Any]:
        name = _name(plan)
        triggers = [f.trigger for f in plan.folders if f.trigger]
        process: dict[str, Any] = {"type": "sd_trainer", "training_folder": str(plan.survey.root / "output"), "device": "cuda:0"}
        if len(set(triggers)) == 1:  # ai-toolkit prepends one trigger to every caption lacking it
            process["trigger_word"] = triggers[0]
        rank = plan.value("rank")
        network: dict[str, Any] = {"type": self.NETWORKS[plan.value("variant", "lora")], "linear": rank, "linear_alpha": plan.value("alpha")}
        process["network"] = network
        process["save"] = {"dtype": "float16", "save_every": max(1, plan.value("steps") // plan.value("epochs")), "max_step_saves_to_keep": 4}
        width, height = plan.value("resolution")
        datasets = []
        for entry in plan.folders:
            dataset: dict[str, Any] = {
                "folder_path": str(entry.folder.path),
                "caption_ext": plan.survey.settings.caption_extension.lstrip("."),
                "caption_dropout_rate": 0.05,
                "shuffle_tokens": _tags(plan),
                "keep_tokens": 1 if _tags(plan) else 0,
                "cache_latents_to_disk": True,
                "resolution": [min(width, height)],
                "num_repeats": entry.repeats,
            }
            if entry.folder.subset == "reg":
                dataset["is_reg"] = True
            if plan.model.get("video"):
                dataset.update({"num_frames": plan.value("frames", 1), "fps": plan.value("fps", 16)})
            datasets.append(dataset)
        process["datasets"] = datasets
        accumulation = plan.value("accumulation")
        process["train"] = {
            "batch_size": plan.value("batch"),
            "steps": plan.value("steps"),
            **({"gradient_accumulation": accumulation} if accumulation > 1 else {}),
            "train_unet": True,
            "train_text_encoder": False,
            "gradient_checkpointing": bool(plan.value("gradient_checkpointing")),
            "noise_scheduler": "flowmatch" if plan.model.name in ("flux", "sd3", "wan") else "ddpm",
            "optimizer": plan.value("optimizer").lower(),
            "lr": plan.value("learning_rate"),
            "lr_scheduler": plan.value("scheduler"),
            "lr_scheduler_params": {"num_warmup_steps": plan.value("warmup_steps")},
            "dtype": plan.value("precision"),
        }
        model: dict[str, Any] = {"name_or_path": _weights(plan), "arch": self.ARCH[plan.model.name]}
        if plan.model.name in ("flux", "wan") and plan.value("gradient_checkpointing"):  # the card is at its limit
            model["quantize"] = True
        process["model"] = model
        return {"job": "extension", "config": {"name": name, "process": [process]}, "meta": {"name": "[name]", "version": "1.0"}}


class OneTrainer:
    """Nerogar/OneTrainer: a concepts file (`training_concepts/concepts.json`)."""

    name = "onetrainer"
    title = "OneTrainer"
    MODELS = ("sd15", "sdxl", "pony", "flux", "sd3", "hunyuan")

    def files(self, plan: Plan, out: Path) -> dict[str, str]:
        _refuse(self.title, plan, self.MODELS)
        return {"onetrainer_concepts.json": json.dumps(self.concepts(plan), indent=2, ensure_ascii=False) + "\n"}

    def concepts(self, plan: Plan) -> list[dict[str, Any]]:
        out = []
        for entry in plan.folders:
            out.append({
                "__version": 2,
                "name": entry.words or entry.folder.relative,
                "path": str(entry.folder.path),
                "seed": 42,
                "enabled": True,
                # OneTrainer's prior prediction trains class images against the base model's own output
                "type": "PRIOR_PREDICTION" if entry.folder.subset == "reg" else "STANDARD",
                "include_subdirectories": False,
                "image_variations": 1,
                "text_variations": 1,
                "balancing": float(entry.repeats),
                "balancing_strategy": "REPEATS",
                "loss_weight": 1.0,
                "text": {
                    "prompt_source": "sample",
                    "prompt_path": "",
                    "enable_tag_shuffling": _tags(plan),
                    "tag_delimiter": ",",
                    "keep_tags_count": 1,
                },
            })
        return out


class Musubi:
    """kohya-ss/musubi-tuner (Wan, HunyuanVideo): `musubi_dataset.toml` and `musubi_training.toml`."""

    name = "musubi"
    title = "musubi-tuner"
    SCRIPTS = {"wan": ("wan_train_network.py", "networks.lora_wan"), "hunyuan": ("hv_train_network.py", "networks.lora")}

    def files(self, plan: Plan, out: Path) -> dict[str, str]:
        _refuse(self.title, plan, self.SCRIPTS)
        if plan.value("variant", "lora") != "lora":
            raise LoraLintError(f"musubi-tuner trains LoRA networks, not {plan.value('variant')}; plan with --variant lora")
        script = self.SCRIPTS[plan.model.name][0]
        dataset_file = out / "musubi_dataset.toml"
        run = f"Cache latents and text encoder outputs first, then: accelerate launch {script} --config_file musubi_training.toml"
        left_out = [f.relative for f in plan.survey.reg]
        notes = (f"musubi-tuner has no regularization datasets: {', '.join(left_out)} left out.",) if left_out else ()
        return {
            "musubi_dataset.toml": _with_header(plan, self.title, "Read through musubi_training.toml's dataset_config.", tomli_w.dumps(self.dataset(plan)), notes),
            "musubi_training.toml": _with_header(plan, self.title, run, tomli_w.dumps(self.training(plan, str(dataset_file)))),
        }

    def dataset(self, plan: Plan) -> dict[str, Any]:
        width, height = plan.value("resolution")
        general = {
            "resolution": [width, height],
            "caption_extension": plan.survey.settings.caption_extension,
            "batch_size": plan.value("batch"),
            "enable_bucket": True,
            "bucket_no_upscale": False,
        }
        datasets = []
        cache = plan.survey.root / ".lora-lint-cache" / "musubi"
        for number, entry in enumerate(f for f in plan.folders if f.folder.subset == "train"):
            folder = entry.folder
            dataset: dict[str, Any] = {"cache_directory": str(cache / f"{number:02d}"), "num_repeats": entry.repeats}
            if folder.media == "image":
                dataset["image_directory"] = str(folder.path)
            else:
                dataset.update({"video_directory": str(folder.path), "target_frames": [plan.value("frames", 1)], "frame_extraction": "head"})
                if plan.survey.settings.fps:
                    dataset["source_fps"] = float(plan.survey.settings.fps)
            datasets.append(dataset)
        return {"general": general, "datasets": datasets}

    def training(self, plan: Plan, dataset_file: str) -> dict[str, Any]:
        script, module = self.SCRIPTS[plan.model.name]
        models: dict[str, Any] = {"dit": SET_ME, "vae": SET_ME}
        if plan.model.name == "wan":
            models.update({"task": "t2v-14B", "t5": SET_ME})
        training = {
            "dataset_config": dataset_file,
            "network_module": module,
            "network_dim": plan.value("rank"),
            "network_alpha": float(plan.value("alpha")),
            "learning_rate": plan.value("learning_rate"),
            "lr_scheduler": plan.value("scheduler"),
            "lr_warmup_steps": plan.value("warmup_steps"),
            "optimizer_type": plan.value("optimizer"),
            "max_train_epochs": plan.value("epochs"),
            "gradient_accumulation_steps": plan.value("accumulation"),
            "mixed_precision": plan.value("precision"),
            "sdpa": True,
            "timestep_sampling": "shift",
            "discrete_flow_shift": 3.0,
            "seed": 42,
            "output_dir": str(plan.survey.root / "output"),
            "output_name": _name(plan),
            "save_every_n_epochs": 1,
        }
        if plan.value("gradient_checkpointing"):  # the card is at its limit: the DiT in fp8 too
            training.update({"gradient_checkpointing": True, "fp8_base": True})
        return {"model_arguments": models, "training_arguments": training}


BUILTIN = (Kohya(), AiToolkit(), OneTrainer(), Musubi())

